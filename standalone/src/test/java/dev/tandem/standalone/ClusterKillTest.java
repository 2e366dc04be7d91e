package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.history.cli.HistoryCli;
import dev.tandem.ot.testkit.RepoRoot;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The cluster of docker-compose.yml as local processes (3 KRaft brokers with replication 3 and
 * min ISR 2, 2 gateways, 2 ot-services, presence-service, 2 signaling instances), under load from
 * real sharedb clients on both gateways and signaling peers on both instances, while kill -9
 * takes in turn a gateway, an ot-service, presence-service, a signaling instance and a broker,
 * each started again a few seconds later. Afterwards every acknowledged op is committed exactly
 * once, every client converges, presence flows, the rooms carry on and {@code verify} passes.
 * {@code ClusterSoak} in the benchmarks runs the same for minutes and prints the figures.
 */
class ClusterKillTest {

  static final String JWT_SECRET = "cluster-test-secret-0123456789abcdef";
  static final List<String> KILLS = List.of("gateway-1", "ot-service-1", "presence", "signaling-1", "kafka-2");

  @Test
  void killNineOfAnythingLosesNothing() throws Exception {
    // Kept after the run: every process's log is there (target/cluster-kill-*).
    Path dir = Files.createDirectories(Path.of("target").toAbsolutePath().resolve("cluster-kill-" + System.currentTimeMillis()));
    // -Dtandem.soak.minutes=N repeats the round of kills for N minutes (README, "Cluster soak").
    Duration soak = Duration.ofMinutes(Long.getLong("tandem.soak.minutes", 0));
    ClusterRun.Figures f = ClusterRun.run(dir, KILLS, Duration.ofSeconds(4), Duration.ofSeconds(9), soak, System.out);
    System.out.println(ClusterRun.report(f));
    assertTrue(f.problems().isEmpty(), String.join("\n", f.problems()));
    assertTrue(f.acked() > 100, "the load ran: " + f.acked() + " acknowledged ops");
    assertEquals(0, f.verifyExit(), f.verifyOutput());
  }

  /** One run: the cluster, the load, the kills, the checks; the figures for a report. */
  static final class ClusterRun {

    record Kill(String service, long atMillis, long recoveryMillis, long stallMillis) {}

    record Figures(long acked, List<Kill> kills, List<String> problems, int verifyExit, String verifyOutput,
        JsonObject load) {}

    /** The figures as a table: per kill, recovery and the longest stall a client saw; the totals. */
    static String report(Figures f) {
      StringBuilder out = new StringBuilder("== cluster under kill -9 ==\n");
      Map<String, List<Kill>> byService = new LinkedHashMap<>();
      f.kills().forEach(k -> byService.computeIfAbsent(k.service(), x -> new ArrayList<>()).add(k));
      byService.forEach((service, ks) -> {
        long[] rec = ks.stream().mapToLong(Kill::recoveryMillis).sorted().toArray();
        long[] stall = ks.stream().mapToLong(Kill::stallMillis).sorted().toArray();
        out.append(String.format(Locale.ROOT, "kill -9 %-13s x%-3d recovery max %6d ms   client stall max %6d ms, p99 %6d ms%n",
            service, ks.size(), rec[rec.length - 1], stall[stall.length - 1],
            stall[(int) Math.min(stall.length - 1, Math.ceil(stall.length * 0.99) - 1)]));
      });
      JsonObject l = f.load();
      out.append(String.format(Locale.ROOT, "ops acknowledged %d   lost %d   duplicates %d   verify exit %d   problems %d%n",
          f.acked(), l == null ? -1 : l.getInteger("lost", -1), l == null ? -1 : l.getInteger("duplicates", -1),
          f.verifyExit(), f.problems().size()));
      return out.toString();
    }

    static Figures run(Path dir, List<String> kills, Duration down, Duration between, Duration soak,
        java.io.PrintStream log) throws Exception {
      Map<String, String> secrets = Map.of("TANDEM_JWT_SECRET", JWT_SECRET, "TANDEM_SRC_KEY",
          "cluster-src-key-0123456789", "TANDEM_TURN_SECRET", "turn-secret");
      List<String> problems = new ArrayList<>();
      List<Kill> done = new ArrayList<>();
      Vertx vertx = Vertx.vertx();
      try (ComposeCluster cluster = new ComposeCluster(dir, secrets)) {
        long t0 = System.currentTimeMillis();
        cluster.startAll(Duration.ofSeconds(150));
        log.printf(Locale.ROOT, "cluster up in %d ms: brokers %s%n", System.currentTimeMillis() - t0, cluster.bootstrap());
        TestTokens tokens = TestTokens.hs256(vertx, JWT_SECRET);
        String token = tokens.token("cluster", new JsonObject()
            .put("docs", new JsonObject().put("*", "write")).put("rooms", new JsonObject().put("*", "join")), 3600);
        ProcessBuilder pb = new ProcessBuilder("node", "standalone/src/test/node/cluster-load.js",
            "ws://127.0.0.1:" + cluster.httpPort("gateway-1") + "/v1/docs",
            "ws://127.0.0.1:" + cluster.httpPort("gateway-2") + "/v1/docs")
            .directory(RepoRoot.find().toFile()).redirectError(dir.resolve("load.err").toFile());
        pb.environment().put("TOKEN", token);
        // The load's own bound: the whole run, soak included, and the checks after it.
        pb.environment().put("TIMEOUT_MS", String.valueOf(soak.toMillis() + kills.size() * 60_000L + 300_000));
        Process load = pb.start();
        Writer toLoad = new java.io.OutputStreamWriter(load.getOutputStream(), StandardCharsets.UTF_8);
        BufferedReader fromLoad = new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> result = new CompletableFuture<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
          try {
            for (String line; (line = fromLoad.readLine()) != null;) {
              if (line.contains("\"ready\"")) {
                ready.complete(null);
              } else if (line.contains("\"result\"")) {
                result.complete(line);
                ready.completeExceptionally(new IllegalStateException("the load gave up: " + line));
              }
            }
            result.complete(null);
          } catch (java.io.IOException e) {
            result.completeExceptionally(e);
          }
        });
        reader.start();
        ready.get(90, TimeUnit.SECONDS);
        Rooms rooms = new Rooms(vertx, cluster, token);
        rooms.joinAll();
        Thread.sleep(between.toMillis());
        long soakEnd = System.currentTimeMillis() + soak.toMillis();
        int round = 0;
        while (round++ == 0 || System.currentTimeMillis() < soakEnd) {
          for (String victim : kills) {
            long at = System.currentTimeMillis();
            cluster.kill(victim);
            log.printf(Locale.ROOT, "kill -9 %s%n", victim);
            if (victim.startsWith("signaling")) {
              rooms.rejoinFrom(victim);
            }
            Thread.sleep(down.toMillis());
            cluster.start(victim);
            if (!cluster.spec(victim).kafka()) {
              cluster.awaitReady(victim, Duration.ofSeconds(120));
            }
            log.printf(Locale.ROOT, "%s back after %d ms%n", victim, System.currentTimeMillis() - at);
            done.add(new Kill(victim, at, 0, 0));
            Thread.sleep(between.toMillis());
          }
        }
        if (result.isDone()) {
          throw new IllegalStateException("the load ended early: " + result.getNow(null));
        }
        toLoad.write("mark\n");
        toLoad.flush();
        Thread.sleep(3000);
        problems.addAll(rooms.check());
        toLoad.write("stop\n");
        toLoad.flush();
        String line = result.get(120, TimeUnit.SECONDS);
        if (line == null) {
          throw new IllegalStateException("the load ended without a result: " + Files.readString(dir.resolve("load.err")));
        }
        JsonObject r = new JsonObject(line);
        r.getJsonArray("problems").forEach(p -> problems.add(String.valueOf(p)));
        JsonArray presence = r.getJsonArray("presenceSinceMark");
        for (int i = 0; i < presence.size(); i++) {
          if (presence.getInteger(i) == 0) {
            problems.add("client " + i + " received no presence after the kills");
          }
        }
        List<Kill> figures = measured(done, r.getJsonArray("acks"));
        long acked = 0;
        for (Object a : r.getJsonArray("acks")) {
          acked += ((JsonArray) a).size();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int verify = HistoryCli.run(new String[] {"verify", "--kafka", cluster.bootstrap(), "--quiet"},
            new PrintWriter(out, true), new PrintWriter(err, true));
        rooms.close();
        return new Figures(acked, figures, problems, verify, out + "\n" + err, r);
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }

    /**
     * For each kill: recovery, the time until every client that was acknowledging before it has
     * been acknowledged again; stall, the longest gap between two acks of one client across it.
     */
    private static List<Kill> measured(List<Kill> kills, JsonArray acks) {
      List<Kill> out = new ArrayList<>();
      for (Kill k : kills) {
        long recovery = 0;
        long stall = 0;
        for (Object o : acks) {
          JsonArray times = (JsonArray) o;
          long before = -1;
          long after = -1;
          for (int i = 0; i < times.size(); i++) {
            long t = times.getLong(i);
            if (t <= k.atMillis()) {
              before = t;
            } else {
              after = t;
              break;
            }
          }
          if (before >= 0 && after >= 0) {
            recovery = Math.max(recovery, after - k.atMillis());
            stall = Math.max(stall, after - before);
          }
        }
        out.add(new Kill(k.service(), k.atMillis(), recovery, stall));
      }
      return out;
    }
  }

  /**
   * Signaling peers: four in one room, two on each instance. When an instance dies its peers join
   * again on the other one; afterwards every peer reaches every other with a signal.
   */
  static final class Rooms implements AutoCloseable {
    private final Vertx vertx;
    private final ComposeCluster cluster;
    private final String token;
    private final String room = "call-" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, WsClient> peers = new LinkedHashMap<>();
    private final Map<String, String> instanceOf = new LinkedHashMap<>();

    Rooms(Vertx vertx, ComposeCluster cluster, String token) {
      this.vertx = vertx;
      this.cluster = cluster;
      this.token = token;
    }

    private String join(String instance) throws Exception {
      WsClient c = new WsClient(vertx, new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(cluster.httpPort(instance)).setURI("/v1/signal").addSubProtocol("tandem.v1")
          .addSubProtocol("tandem.bearer." + token).setAllowOriginHeader(false));
      c.send(new JsonObject().put("type", "join").put("room", room).put("meta", new JsonObject()));
      JsonObject joined = c.next(m -> "joined".equals(m.getString("type")) || "error".equals(m.getString("type")));
      if (!"joined".equals(joined.getString("type"))) {
        throw new IllegalStateException("join refused: " + joined.encode());
      }
      String id = joined.getString("peerId");
      peers.put(id, c);
      instanceOf.put(id, instance);
      return id;
    }

    void joinAll() throws Exception {
      for (String instance : List.of("signaling-1", "signaling-2", "signaling-1", "signaling-2")) {
        join(instance);
      }
    }

    /** The peers of a killed instance join again, on the other instance. */
    void rejoinFrom(String dead) throws Exception {
      String other = dead.equals("signaling-1") ? "signaling-2" : "signaling-1";
      for (String id : new ArrayList<>(peers.keySet())) {
        if (instanceOf.get(id).equals(dead)) {
          peers.remove(id).close();
          instanceOf.remove(id);
          join(other);
        }
      }
    }

    /** Every peer signals every other and each signal arrives. */
    List<String> check() throws Exception {
      List<String> problems = new ArrayList<>();
      for (var from : peers.entrySet()) {
        for (String to : peers.keySet()) {
          if (!to.equals(from.getKey())) {
            from.getValue().send(new JsonObject().put("type", "signal").put("room", room).put("to", to)
                .put("data", new JsonObject().put("from", from.getKey())));
          }
        }
      }
      // Each peer's signals in whatever order they come (other messages, such as peer-joined, skipped).
      for (var to : peers.entrySet()) {
        java.util.Set<String> waiting = new java.util.TreeSet<>(peers.keySet());
        waiting.remove(to.getKey());
        long deadline = System.currentTimeMillis() + 10_000;
        while (!waiting.isEmpty() && System.currentTimeMillis() < deadline) {
          String text = to.getValue().poll(200);
          if (text == null) {
            continue;
          }
          JsonObject m = new JsonObject(text);
          if ("signal".equals(m.getString("type")) && m.getJsonObject("data") != null) {
            waiting.remove(m.getJsonObject("data").getString("from"));
          }
        }
        for (String from : waiting) {
          problems.add("signal from " + from + " (" + instanceOf.get(from) + ") never reached " + to.getKey() + " ("
              + instanceOf.get(to.getKey()) + ")");
        }
      }
      return problems;
    }

    @Override
    public void close() {
      peers.values().forEach(WsClient::close);
    }
  }
}
