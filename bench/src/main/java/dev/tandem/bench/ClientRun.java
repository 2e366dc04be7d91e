package dev.tandem.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One workload against one running server: starts the Node load generators with their share of
 * it, tells them when to measure, reads the server's CPU over the same window, and merges what
 * the generators measured into {@link ClientFigures}.
 */
final class ClientRun {

  /** How long generators may take to connect and subscribe (200 connections on a busy machine). */
  private static final long READY_MS = 120_000;
  /** How long the cold workload may take to create its documents before fetching them. */
  private static final long PREPARE_MS = 600_000;
  /** The cold workload waits at most this long for the server to let its documents go. */
  private static final long EVICT_WAIT_MS = 45_000;

  private final ClientWorkload workload;
  private final BenchServer server;
  private final ClientBenchOptions options;
  private final String prefix = "cb" + Long.toString(System.currentTimeMillis(), 36);

  ClientRun(ClientWorkload workload, BenchServer server, ClientBenchOptions options) {
    this.workload = workload;
    this.server = server;
    this.options = options;
  }

  ClientFigures run() throws Exception {
    return switch (workload.kind()) {
      case WRITERS -> writers();
      case CREATE -> create();
      case COLD -> cold();
    };
  }

  private JsonObject spec(String kind, long boundMs) {
    return new JsonObject().put("kind", kind).put("url", server.url()).put("collection", "bench")
        .put("deadline", System.currentTimeMillis() + boundMs + 60_000);
  }

  private long timedBoundMs() {
    return READY_MS + (options.warmup() + options.seconds()) * 1000L + 30_000;
  }

  private ClientFigures writers() throws Exception {
    JsonArray docs = new JsonArray();
    for (int d = 0; d < workload.docs(); d++) {
      docs.add(prefix + "-" + d);
    }
    try (NodeWorkers setup = NodeWorkers.start(List.of(spec("setup", READY_MS).put("docs", docs)))) {
      setup.await("result", READY_MS);
    }
    int procs = Math.min(options.procs(), workload.writers());
    List<JsonObject> specs = new ArrayList<>();
    for (int k = 0; k < procs; k++) {
      JsonArray mine = new JsonArray();
      for (int i = k; i < workload.writers(); i += procs) {
        mine.add(i);
      }
      specs.add(spec("writers", timedBoundMs()).put("docs", docs).put("writers", mine));
    }
    Window win;
    try (NodeWorkers workers = NodeWorkers.start(specs)) {
      List<JsonObject> ready = workers.await("ready", READY_MS);
      win = measure(workers, options.seconds(), ready);
    }
    double secs = mean(win.results(), "seconds");
    long acks = sum(win.results(), "acks");
    long received = sum(win.results(), "received");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("ops/s", String.format(Locale.ROOT, "%,.0f", acks / secs));
    f.put("ack p50 / p99", samples(win.results()).p50p99());
    f.put("delivered msgs/s", String.format(Locale.ROOT, "%,.0f", (received + acks) / secs));
    common(f, win, secs);
    f.put("clients converged", converged(win.results()));
    return new ClientFigures(server.name(), f, java.util.Optional.empty());
  }

  private ClientFigures create() throws Exception {
    int procs = Math.min(options.procs(), options.createInflight());
    List<JsonObject> specs = new ArrayList<>();
    for (int k = 0; k < procs; k++) {
      specs.add(spec("create", READY_MS + options.warmup() * 1000L + options.createTimeout() * 1000L)
          .put("prefix", prefix + "p" + k)
          .put("count", share(options.createDocs(), procs, k))
          .put("inflight", share(options.createInflight(), procs, k))
          .put("connections", Math.max(1, share(options.createConnections(), procs, k)))
          // The warm-up creates documents at the same concurrency until it ends, up to ten times
          // as many as are measured.
          .put("warmCap", Math.max(1, share(options.createDocs() * 10, procs, k))));
    }
    Window win;
    try (NodeWorkers workers = NodeWorkers.start(specs)) {
      List<JsonObject> ready = workers.await("ready", READY_MS);
      win = measure(workers, options.createTimeout(), ready);
    }
    double active = win.results().stream().mapToDouble(r -> r.getDouble("activeSeconds")).max().orElse(1);
    long done = sum(win.results(), "done");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("docs/s", String.format(Locale.ROOT, "%,.0f", done / active));
    f.put("created", String.format(Locale.ROOT, "%,d of %,d in %.1f s", done, options.createDocs(), active));
    f.put("create+edit p50 / p99", samples(win.results()).p50p99());
    common(f, win, win.seconds());
    return new ClientFigures(server.name(), f, java.util.Optional.empty());
  }

  private ClientFigures cold() throws Exception {
    JsonObject spec = spec("cold", PREPARE_MS + timedBoundMs() + EVICT_WAIT_MS).put("prefix", prefix)
        .put("count", options.coldDocs());
    Window win;
    String inMemory;
    try (NodeWorkers workers = NodeWorkers.start(List.of(spec))) {
      List<JsonObject> ready = workers.await("ready", PREPARE_MS);
      inMemory = awaitEviction(ready.get(0).getLong("prepared"));
      win = measure(workers, options.seconds(), ready);
    }
    JsonObject r = win.results().get(0);
    Map<String, String> f = new LinkedHashMap<>();
    f.put("fetch p50 / p99", samples(win.results()).p50p99());
    f.put("fetches/s", String.format(Locale.ROOT, "%,.0f", r.getLong("fetched") / r.getDouble("seconds")));
    f.put("docs in memory at start", inMemory);
    common(f, win, r.getDouble("seconds"));
    return new ClientFigures(server.name(), f, java.util.Optional.empty());
  }

  /**
   * Where the server tells (Tandem's gateway), waits until it holds none of the documents just
   * created, and two ot-service flushes beyond (it evicts at a flush, every 5 s by default).
   */
  private String awaitEviction(long created) throws InterruptedException {
    if (server.openDocuments().isEmpty()) {
      return "all (" + server.name() + " has no eviction)";
    }
    long start = System.currentTimeMillis();
    long open = server.openDocuments().orElse(-1L);
    while (open > 0 && System.currentTimeMillis() - start < EVICT_WAIT_MS) {
      Thread.sleep(500);
      open = server.openDocuments().orElse(-1L);
    }
    Thread.sleep(Math.max(0, 12_000 - (System.currentTimeMillis() - start)));
    return String.format(Locale.ROOT, "%,d of %,d in the gateway", open, created);
  }

  /** What the generators measured and what the server used meanwhile. */
  private record Window(List<JsonObject> results, double seconds, double serverCores, List<JsonObject> ready) {}

  private Window measure(NodeWorkers workers, int windowSeconds, List<JsonObject> ready) throws Exception {
    long warmupEnd = System.currentTimeMillis() + 300 + options.warmup() * 1000L;
    long measureEnd = warmupEnd + windowSeconds * 1000L;
    workers.go(warmupEnd, measureEnd);
    Thread.sleep(Math.max(0, warmupEnd - System.currentTimeMillis()));
    Map<Long, Long> cpu0 = ProcCpu.sample(server.cpuPids());
    long t0 = System.nanoTime();
    workers.await("measured", measureEnd - System.currentTimeMillis() + 30_000);
    Map<Long, Long> cpu1 = ProcCpu.sample(server.cpuPids());
    long t1 = System.nanoTime();
    List<JsonObject> results = workers.await("result", 40_000);
    return new Window(results, (t1 - t0) / 1e9, ProcCpu.between(cpu0, cpu1) / (double) (t1 - t0), ready);
  }

  /** The figures every workload prints: CPU of both sides, errors, memory, compression. */
  private void common(Map<String, String> f, Window win, double secs) {
    double genCores = sum(win.results(), "cpuMicros") / 1e6 / secs;
    f.put("CPU generator / server", String.format(Locale.ROOT, "%.2f / %.2f cores (%d proc)", genCores,
        win.serverCores(), win.results().size()));
    f.put("errors", errors(win.results()));
    f.put("server RSS after", server.rss());
    String ext = win.ready().get(0).getString("deflate", "");
    f.put("permessage-deflate", ext.contains("permessage-deflate") ? "negotiated" : "not negotiated");
  }

  private static Latencies samples(List<JsonObject> results) {
    Latencies l = new Latencies();
    for (JsonObject r : results) {
      for (Object s : r.getJsonArray("samples")) {
        l.add(((Number) s).longValue());
      }
    }
    return l;
  }

  private static String errors(List<JsonObject> results) {
    Map<String, Long> by = new TreeMap<>();
    for (JsonObject r : results) {
      r.getJsonObject("errors").forEach(e -> by.merge(e.getKey(), ((Number) e.getValue()).longValue(), Long::sum));
    }
    if (by.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    by.forEach((code, n) -> parts.add(code + " " + n));
    return String.join(", ", parts);
  }

  /** Whether every client ended with the same version and text of its document. */
  private static String converged(List<JsonObject> results) {
    Map<String, Map<String, Long>> states = new TreeMap<>();
    long unsettled = 0;
    for (JsonObject r : results) {
      unsettled += r.getLong("unsettled", 0L);
      r.getJsonObject("states").forEach(doc -> ((JsonObject) doc.getValue()).forEach(s -> states
          .computeIfAbsent(doc.getKey(), k -> new TreeMap<>()).merge(s.getKey(), ((Number) s.getValue()).longValue(),
              Long::sum)));
    }
    List<String> split = new ArrayList<>();
    states.forEach((doc, s) -> {
      if (s.size() > 1) {
        split.add(doc + " in " + s.size() + " states among " + s.values().stream().mapToLong(Long::longValue).sum()
            + " clients");
      }
    });
    if (unsettled > 0) {
      // Clients still waiting for acks are at different versions: that is no divergence.
      return "not settled: " + unsettled + " writers still waiting for an ack 10 s after the window";
    }
    return split.isEmpty() ? "yes" : "NO: " + String.join(", ", split);
  }

  private static long sum(List<JsonObject> results, String key) {
    return results.stream().mapToLong(r -> r.getLong(key, 0L)).sum();
  }

  private static double mean(List<JsonObject> results, String key) {
    return results.stream().mapToDouble(r -> r.getDouble(key)).average().orElse(1);
  }

  /** Part {@code k} of {@code total} split in {@code parts} as evenly as whole numbers allow. */
  private static int share(int total, int parts, int k) {
    return total / parts + (k < total % parts ? 1 : 0);
  }
}
