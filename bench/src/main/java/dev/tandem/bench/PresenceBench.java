package dev.tandem.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cursor traffic on one document: N clients (default 200) over real WebSockets, each subscribed
 * to the document and its presence, each moving its caret R times a second (default 20). Every
 * presence value carries its send time; each client records the delay to every caret it receives.
 * Prints the delivery latency p50/p99/max, the updates sent and delivered per second, and the CPU
 * the standalone server (a child JVM) used over the run.
 *
 * <p>Usage: {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.PresenceBench
 * [CLIENTS] [MOVES_PER_SECOND] [SECONDS] [WARMUP_SECONDS]}
 *
 * <p>The load runs for a warm-up (default 15 s) before the measurement: a freshly started server
 * spends its first half minute compiling (the JIT took a quarter of a core 30 s in), and the
 * figures are meant to describe a server that has been up for a while.
 */
public final class PresenceBench {

  private PresenceBench() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 15;
    Path root = Path.of("").toAbsolutePath();
    Path jar = root.resolve("standalone/target/tandem.jar");
    Path data = Files.createTempDirectory("tandem-presence-bench-");
    int port = LoadBench.freePort();
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(List.of(System.getenv().getOrDefault("TANDEM_SERVER_JVM_OPTS", "-Xmx512m").trim().split("\\s+")));
    cmd.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(port), "--data-dir", data.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile());
    Process server = pb.start();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      LoadBench.awaitHealthy(port);
      new PresenceBench.Run(vertx, port, clients, rate, seconds, warmup, server.pid()).go();
    } finally {
      server.destroy();
      server.waitFor();
      vertx.close();
    }
  }

  private static final class Run {
    final Vertx vertx;
    final int port;
    final int clients;
    final int rate;
    final int seconds;
    final int warmup;
    final long serverPid;
    final String doc = "cursors-" + Long.toString(System.nanoTime(), 36);
    final AtomicLong sent = new AtomicLong();
    final LongAdder delivered = new LongAdder();
    volatile boolean measuring;
    volatile boolean stopped;

    Run(Vertx vertx, int port, int clients, int rate, int seconds, int warmup, long serverPid) {
      this.vertx = vertx;
      this.port = port;
      this.clients = clients;
      this.rate = rate;
      this.seconds = seconds;
      this.warmup = warmup;
      this.serverPid = serverPid;
    }

    void go() throws Exception {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000));
      CountDownLatch created = new CountDownLatch(1);
      ClientWebSocket creator = client.webSocket();
      creator.textMessageHandler(t -> {
        if ("op".equals(new JsonObject(t).getString("a"))) {
          created.countDown();
        }
      });
      creator.connect(port, "127.0.0.1", "/v1/docs").await(10, TimeUnit.SECONDS);
      creator.writeTextMessage(new JsonObject().put("a", "hs").putNull("id").encode());
      creator.writeTextMessage(new JsonObject().put("a", "op").put("c", "notes").put("d", doc).put("v", 0).put("seq", 1)
          .put("create", new JsonObject().put("type", "http://sharejs.org/types/text-unicode")
              .put("data", "x".repeat(1000))).encode());
      if (!created.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the document was not created");
      }

      CountDownLatch ready = new CountDownLatch(clients);
      List<Mover> movers = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Mover m = new Mover(i, client, ready);
        movers.add(m);
        m.connect();
        if (i % 50 == 49) {
          Thread.sleep(50);
        }
      }
      if (!ready.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(ready.getCount() + " clients did not get ready");
      }
      long period = Math.max(1, 1000 / rate);
      for (Mover m : movers) {
        m.ctx.runOnContext(x -> vertx.setPeriodic((long) (Math.random() * period) + 1, period, t -> m.move()));
      }
      Thread.sleep(warmup * 1000L);
      Latencies all = new Latencies();
      movers.forEach(m -> m.ctx.runOnContext(x -> m.latency = new Latencies()));
      Thread.sleep(200);
      sent.set(0);
      delivered.reset();
      long cpu0 = cpuTicks(serverPid);
      long own0 = cpuTicks(ProcessHandle.current().pid());
      long t0 = System.nanoTime();
      measuring = true;
      Thread.sleep(seconds * 1000L);
      measuring = false;
      double wall = (System.nanoTime() - t0) / 1e9;
      long cpu1 = cpuTicks(serverPid);
      long own1 = cpuTicks(ProcessHandle.current().pid());
      stopped = true;
      Thread.sleep(300);
      for (Mover m : movers) {
        CountDownLatch merged = new CountDownLatch(1);
        m.ctx.runOnContext(x -> {
          synchronized (all) {
            all.addAll(m.latency);
          }
          m.ws.close();
          merged.countDown();
        });
        merged.await(5, TimeUnit.SECONDS);
      }
      double cpuSeconds = (cpu1 - cpu0) / 100.0;
      System.out.printf(Locale.ROOT, "presence: %d clients on one document, %d caret moves/s each, %d s after %d s of warm-up%n",
          clients, rate, seconds, warmup);
      System.out.printf(Locale.ROOT, "  sent %,.0f updates/s, delivered %,.0f updates/s%n", sent.get() / wall,
          delivered.sum() / wall);
      System.out.println("  send-to-delivery latency: " + all.summary());
      System.out.printf(Locale.ROOT, "  server CPU: %.2f cores (%.0f%% of %d)%n", cpuSeconds / wall,
          100 * cpuSeconds / wall / Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
      System.out.printf(Locale.ROOT, "  load generator CPU (this JVM, same machine): %.2f cores%n", (own1 - own0) / 100.0 / wall);
      System.out.println("  server resident memory: " + LoadBench.rssOf(serverPid));
      client.close();
    }

    /** utime + stime of a process, in clock ticks (1/100 s). */
    static long cpuTicks(long pid) throws java.io.IOException {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    final class Mover {
      final int id;
      final WebSocketClient client;
      final CountDownLatch ready;
      ClientWebSocket ws;
      Context ctx;
      Latencies latency = new Latencies();
      long pv;
      boolean subscribed;

      Mover(int id, WebSocketClient client, CountDownLatch ready) {
        this.id = id;
        this.client = client;
        this.ready = ready;
      }

      void connect() {
        ws = client.webSocket();
        // Frames, not text messages: the hot path reads the send time from the bytes, without
        // decoding 3,000 strings a second per client on a machine the server shares.
        ws.frameHandler(frame -> {
          if (frame.isText() && !caret(frame.binaryData())) {
            onMessage(frame.textData());
          }
        });
        ws.connect(port, "127.0.0.1", "/v1/docs").onSuccess(x -> {
          ws.writeTextMessage(new JsonObject().put("a", "hs").putNull("id").encode());
          ws.writeTextMessage(new JsonObject().put("a", "s").put("c", "notes").put("d", doc).encode());
        }).onFailure(e -> System.err.println("client " + id + " cannot connect: " + e));
      }

      /** A caret from another client ({@code {"a":"p", ... "ts":N ...}}): records its latency. */
      boolean caret(Buffer b) {
        if (b.length() < 8 || !b.getString(0, 8).equals("{\"a\":\"p\"")) {
          return false;
        }
        int n = b.length();
        for (int i = 8; i + 5 < n; i++) {
          if (b.getByte(i) == '"' && b.getByte(i + 1) == 't' && b.getByte(i + 2) == 's' && b.getByte(i + 3) == '"'
              && b.getByte(i + 4) == ':') {
            long ts = 0;
            for (int j = i + 5; j < n && b.getByte(j) >= '0' && b.getByte(j) <= '9'; j++) {
              ts = ts * 10 + (b.getByte(j) - '0');
            }
            latency.add((System.nanoTime() - ts) / 1000);
            if (measuring) {
              delivered.increment();
            }
            return true;
          }
        }
        return false;
      }

      void onMessage(String text) {
        if (ctx == null) {
          ctx = vertx.getOrCreateContext();
        }
        JsonObject m = new JsonObject(text);
        switch (m.getString("a", "")) {
          case "s" -> ws.writeTextMessage(new JsonObject().put("a", "ps").put("ch", "notes." + doc).put("seq", 1).encode());
          case "ps" -> {
            if (!subscribed) {
              subscribed = true;
              ready.countDown();
            }
          }
          default -> { }
        }
      }

      void move() {
        if (stopped) {
          return;
        }
        int index = (int) ((pv * 7 + id) % 1000);
        ws.writeTextMessage(new JsonObject().put("a", "p").put("ch", "notes." + doc).put("id", "caret-" + id)
            .put("pv", pv++).put("c", "notes").put("d", doc).put("v", 1)
            .put("t", "http://sharejs.org/types/text-unicode")
            .put("p", new JsonObject().put("index", index).put("length", 0).put("ts", System.nanoTime())).encode());
        if (measuring) {
          sent.incrementAndGet();
        }
      }
    }
  }
}
