package dev.tandem.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Signaling under load: two standalone servers (child JVMs; the second uses the first's embedded
 * Kafka) as two signaling instances, SOCKETS connections (default 1,000) in ROOMS rooms (100),
 * each room half on each instance. Measures joins per second, then relay latency (send to
 * delivery) of signals between random peers of a room, for peers on the same instance and on
 * different instances. Usage:
 * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.SignalBench [SOCKETS ROOMS SIGNALS_PER_S_PER_PEER SECONDS]}
 */
public final class SignalBench {

  private SignalBench() {}

  public static void main(String[] args) throws Exception {
    int sockets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int roomCount = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    double rate = args.length > 2 ? Double.parseDouble(args[2]) : 2;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 15;
    Path jar = Path.of("standalone/target/tandem.jar").toAbsolutePath();
    Path dataA = Files.createTempDirectory("tandem-signal-a-");
    Path dataB = Files.createTempDirectory("tandem-signal-b-");
    int portA = LoadBench.freePort();
    int portB = LoadBench.freePort();
    String opts = System.getenv().getOrDefault("TANDEM_SERVER_JVM_OPTS", "-Xmx512m");
    Process a = new ProcessBuilder(cmd(opts, jar, "--port", String.valueOf(portA), "--data-dir", dataA.toString()))
        .redirectErrorStream(true).redirectOutput(dataA.resolve("server.log").toFile()).start();
    Process b = null;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      LoadBench.awaitHealthy(portA);
      String kafka = "127.0.0.1:" + Files.readString(dataA.resolve("kafka/broker.port")).trim();
      b = new ProcessBuilder(cmd(opts, jar, "--port", String.valueOf(portB), "--data-dir", dataB.toString(), "--kafka",
          kafka)).redirectErrorStream(true).redirectOutput(dataB.resolve("server.log").toFile()).start();
      LoadBench.awaitHealthy(portB);
      Thread.sleep(4000); // both instances hear each other's heartbeats
      new Run(vertx, new int[] {portA, portB}, sockets, roomCount, rate, seconds).go();
    } finally {
      a.destroy();
      if (b != null) {
        b.destroy();
      }
      vertx.close();
    }
  }

  private static List<String> cmd(String opts, Path jar, String... args) {
    List<String> c = new ArrayList<>(List.of("java"));
    c.addAll(List.of(opts.trim().split("\\s+")));
    c.addAll(List.of("-jar", jar.toString()));
    c.addAll(List.of(args));
    return c;
  }

  private static final class Run {
    final Vertx vertx;
    final int[] ports;
    final int sockets;
    final int roomCount;
    final double rate;
    final int seconds;
    final String prefix = "bench-" + Long.toString(System.nanoTime(), 36) + "-";
    final Map<String, Integer> instanceOf = new ConcurrentHashMap<>();
    volatile boolean measuring;
    volatile boolean stopped;

    Run(Vertx vertx, int[] ports, int sockets, int roomCount, double rate, int seconds) {
      this.vertx = vertx;
      this.ports = ports;
      this.sockets = sockets;
      this.roomCount = roomCount;
      this.rate = rate;
      this.seconds = seconds;
    }

    void go() throws Exception {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000));
      CountDownLatch connected = new CountDownLatch(sockets);
      List<Peer> peers = new ArrayList<>();
      for (int i = 0; i < sockets; i++) {
        Peer p = new Peer(i, client, connected);
        peers.add(p);
        p.connect();
        if (i % 100 == 99) {
          Thread.sleep(20);
        }
      }
      if (!connected.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(connected.getCount() + " sockets did not connect");
      }
      CountDownLatch joined = new CountDownLatch(sockets);
      long t0 = System.nanoTime();
      for (Peer p : peers) {
        p.join(joined);
      }
      if (!joined.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException(joined.getCount() + " joins unanswered");
      }
      double joinSeconds = (System.nanoTime() - t0) / 1e9;
      Thread.sleep(1500); // the last peer-joined events arrive
      long period = Math.max(1, Math.round(1000 / rate));
      for (Peer p : peers) {
        p.ctx.runOnContext(x -> vertx.setPeriodic(1 + ThreadLocalRandom.current().nextLong(period), period, t -> p.send()));
      }
      Thread.sleep(3000);
      peers.forEach(p -> p.ctx.runOnContext(x -> {
        p.same = new Latencies();
        p.cross = new Latencies();
      }));
      Thread.sleep(100);
      measuring = true;
      long m0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      measuring = false;
      double wall = (System.nanoTime() - m0) / 1e9;
      stopped = true;
      Thread.sleep(300);
      Latencies same = new Latencies();
      Latencies cross = new Latencies();
      for (Peer p : peers) {
        CountDownLatch done = new CountDownLatch(1);
        p.ctx.runOnContext(x -> {
          synchronized (same) {
            same.addAll(p.same);
            cross.addAll(p.cross);
          }
          p.ws.close();
          done.countDown();
        });
        done.await(5, TimeUnit.SECONDS);
      }
      System.out.printf(Locale.ROOT, "signaling: %d sockets in %d rooms on 2 instances, %.1f signals/s per peer, %d s%n",
          sockets, roomCount, rate, seconds);
      System.out.printf(Locale.ROOT, "  joins: %d in %.2f s = %,.0f joins/s%n", sockets, joinSeconds, sockets / joinSeconds);
      System.out.printf(Locale.ROOT, "  relayed %,.0f signals/s%n", (same.count() + cross.count()) / wall);
      System.out.println("  relay latency, same instance:      " + same.summary());
      System.out.println("  relay latency, across instances:   " + cross.summary());
      client.close();
    }

    final class Peer {
      final int index;
      final int instance;
      final String room;
      final WebSocketClient client;
      final CountDownLatch connected;
      CountDownLatch joined;
      ClientWebSocket ws;
      Context ctx;
      String me;
      final List<String> others = new ArrayList<>();
      Latencies same = new Latencies();
      Latencies cross = new Latencies();

      Peer(int index, WebSocketClient client, CountDownLatch connected) {
        this.index = index;
        this.instance = (index / roomCount) % 2;
        this.room = prefix + (index % roomCount);
        this.client = client;
        this.connected = connected;
      }

      void connect() {
        ws = client.webSocket();
        ws.textMessageHandler(this::onMessage);
        ws.connect(ports[instance], "127.0.0.1", "/v1/signal").onSuccess(x -> {
          ctx = vertx.getOrCreateContext();
          connected.countDown();
        }).onFailure(e -> System.err.println("peer " + index + " cannot connect: " + e));
      }

      void join(CountDownLatch latch) {
        joined = latch;
        ctx.runOnContext(x -> ws.writeTextMessage(new JsonObject().put("type", "join").put("room", room).encode()));
      }

      void onMessage(String text) {
        if (text.startsWith("{\"type\":\"signal\"")) {
          JsonObject m = new JsonObject(text);
          JsonObject data = m.getJsonObject("data");
          long micros = (System.nanoTime() - data.getLong("t")) / 1000;
          Integer from = instanceOf.get(m.getString("from"));
          (from != null && from == instance ? same : cross).add(micros);
          return;
        }
        JsonObject m = new JsonObject(text);
        switch (m.getString("type")) {
          case "joined" -> {
            me = m.getString("peerId");
            instanceOf.put(me, instance);
            JsonArray list = m.getJsonArray("peers");
            for (int i = 0; i < list.size(); i++) {
              others.add(list.getJsonObject(i).getString("peerId"));
            }
            joined.countDown();
          }
          case "peer-joined" -> others.add(m.getString("peerId"));
          case "peer-left" -> others.remove(m.getString("peerId"));
          case "error" -> System.err.println("peer " + index + ": " + text);
          default -> { }
        }
      }

      void send() {
        if (stopped || others.isEmpty()) {
          return;
        }
        String to = others.get(ThreadLocalRandom.current().nextInt(others.size()));
        ws.writeTextMessage("{\"type\":\"signal\",\"room\":\"" + room + "\",\"to\":\"" + to
            + "\",\"data\":{\"candidate\":{\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\"},\"t\":"
            + System.nanoTime() + "}}");
      }
    }
  }
}
