package dev.tandem.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hostile cases of issue 11 as a load: each kind is a loop on a thread of its own, sending
 * what an adversarial client would (documents built too deep, deep presence, spoofed src, bulk
 * subscribes of 40,000, subscribers that never read, half-open HTTP, big frames and messages,
 * deflate bombs, big whole-content PUTs, and malformed requests), and counting what it sent.
 * Replies are read and dropped; a socket the server closes is replaced.
 */
final class HostileLoad implements AutoCloseable {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static final String JSON0 = "http://sharejs.org/types/JSONv0";

  private final Vertx vertx;
  private final int port;
  private final String run = Long.toString(System.nanoTime(), 36);
  private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<Socket> idle = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final WebSocketClient small;
  private final WebSocketClient big;
  private final WebSocketClient deflating;
  private volatile boolean stopped;

  HostileLoad(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
    small = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000));
    // One frame per message up to 1 MiB: a 200 KiB message goes as a single frame.
    big = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000).setMaxFrameSize(1 << 20));
    // Compressed at level 9, one frame per message: 50 MB of one letter is ~50 KB on the wire.
    deflating = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000)
        .setMaxFrameSize(64 << 20).setTryUsePerMessageCompression(true).setCompressionLevel(9));
  }

  /** Starts every kind. */
  void start() {
    loop("deep-document", 1000, this::deepDocument);
    loop("deep-presence", 500, this::deepPresence);
    loop("spoofed-src", 100, this::spoofedSrc);
    loop("bulk-subscribe-40000", 2000, this::bulkSubscribe);
    loop("never-reads", 200, this::neverReads);
    loop("half-open-http", 50, this::halfOpen);
    loop("frame-200KiB", 1000, () -> frame(big, "frame-200KiB", 200 * 1024));
    loop("message-2MB", 2000, () -> frame(small, "message-2MB", 2_000_000));
    loop("message-5MB", 5000, () -> frame(small, "message-5MB", 5_000_000));
    loop("deflate-bomb", 3000, this::deflateBomb);
    loop("put-40k", 500, this::bigPut);
    loop("malformed", 20, this::malformed);
  }

  /** Requests sent, by kind. */
  Map<String, Long> sent() {
    Map<String, Long> out = new TreeMap<>();
    sent.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Requests that could not be sent (refused connections, closed sockets), by kind. */
  Map<String, Long> failed() {
    Map<String, Long> out = new TreeMap<>();
    failed.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private void count(String kind, int n) {
    sent.computeIfAbsent(kind, k -> new LongAdder()).add(n);
  }

  private void loop(String kind, long periodMs, Step step) {
    // TANDEM_HOSTILE_KINDS=a,b runs only those kinds: to find which one costs the polite writers.
    String only = System.getenv("TANDEM_HOSTILE_KINDS");
    if (only != null && !java.util.Arrays.asList(only.split(",")).contains(kind)) {
      return;
    }
    Thread t = new Thread(() -> {
      while (!stopped) {
        long t0 = System.currentTimeMillis();
        try {
          step.run();
        } catch (Exception e) {
          failed.computeIfAbsent(kind, k -> new LongAdder()).increment();
        }
        long left = periodMs - (System.currentTimeMillis() - t0);
        if (left > 0) {
          sleep(left);
        }
      }
    }, "hostile-" + kind);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A connection past the handshake whose replies are dropped. */
  private ClientWebSocket open(WebSocketClient client) throws Exception {
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(t -> { });
    ws.connect(port, "127.0.0.1", "/v1/docs").await(5, TimeUnit.SECONDS);
    ws.writeTextMessage(new JsonObject().put("a", "hs").putNull("id").encode());
    return ws;
  }

  // Connections kept per kind and replaced when the server closes them.
  private final Map<String, ClientWebSocket> kept = new ConcurrentHashMap<>();

  private ClientWebSocket kept(String kind, WebSocketClient client) throws Exception {
    ClientWebSocket ws = kept.get(kind);
    if (ws == null || ws.isClosed()) {
      ws = open(client);
      kept.put(kind, ws);
    }
    return ws;
  }

  private static String nested(int levels) {
    return "{\"k\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
  }

  private final java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong();

  private void deepDocument() throws Exception {
    ClientWebSocket ws = kept("deep-document", small);
    String id = "deep-" + run + "-" + counter.getAndIncrement();
    ws.writeTextMessage(new JsonObject().put("a", "op").put("c", "hostile").put("d", id).put("v", 0).put("seq", 1)
        .put("create", new JsonObject().put("type", JSON0).put("data", new JsonObject())).encode());
    ws.writeTextMessage("{\"a\":\"op\",\"c\":\"hostile\",\"d\":\"" + id + "\",\"v\":1,\"seq\":2,\"op\":[{\"p\":[\"a\"],\"oi\":"
        + nested(505) + "}]}");
    JsonArray p = new JsonArray().add("a");
    for (int i = 0; i < 505; i++) {
      p.add("k");
    }
    ws.writeTextMessage("{\"a\":\"op\",\"c\":\"hostile\",\"d\":\"" + id + "\",\"v\":2,\"seq\":3,\"op\":[{\"p\":" + p.encode()
        + ",\"oi\":" + nested(505) + "}]}");
    count("deep-document", 3);
  }

  private void deepPresence() throws Exception {
    ClientWebSocket ws = kept("deep-presence", small);
    String ch = "deep-room-" + run + "-" + (counter.getAndIncrement() % 50);
    ws.writeTextMessage("{\"a\":\"p\",\"ch\":\"" + ch + "\",\"id\":\"m\",\"pv\":" + counter.get() + ",\"p\":" + "[".repeat(998)
        + "]".repeat(998) + "}");
    ws.writeTextMessage(new JsonObject().put("a", "ps").put("ch", ch).put("seq", counter.get()).encode());
    count("deep-presence", 2);
  }

  private String victimSrc;
  private long victimSeq = 2;

  private void spoofedSrc() throws Exception {
    ClientWebSocket ws = kept("spoofed-src", small);
    if (victimSrc == null) {
      ClientWebSocket victim = small.webSocket();
      java.util.concurrent.CompletableFuture<String> src = new java.util.concurrent.CompletableFuture<>();
      victim.textMessageHandler(t -> {
        JsonObject m = new JsonObject(t);
        if ("hs".equals(m.getString("a"))) {
          src.complete(m.getString("id"));
        }
      });
      victim.connect(port, "127.0.0.1", "/v1/docs").await(5, TimeUnit.SECONDS);
      victim.writeTextMessage(new JsonObject().put("a", "hs").putNull("id").encode());
      victimSrc = src.get(5, TimeUnit.SECONDS);
      victim.writeTextMessage(new JsonObject().put("a", "op").put("c", "hostile").put("d", "victim-" + run).put("v", 0)
          .put("seq", 1).put("create", new JsonObject().put("type", TEXT).put("data", "hello")).encode());
    }
    ws.writeTextMessage(new JsonObject().put("a", "op").put("c", "hostile").put("d", "victim-" + run).put("v", 1)
        .put("seq", victimSeq++).put("src", victimSrc).put("op", new JsonArray().add(" mmm")).encode());
    count("spoofed-src", 1);
  }

  private void bulkSubscribe() throws Exception {
    ClientWebSocket ws = kept("bulk-subscribe", small);
    JsonArray ids = new JsonArray();
    long batch = counter.getAndIncrement();
    for (int i = 0; i < 40_000; i++) {
      ids.add("bs-" + run + "-" + batch + "-" + i);
    }
    ws.writeTextMessage(new JsonObject().put("a", "bs").put("c", "hostile").put("b", ids).encode());
    count("bulk-subscribe-40000", 1);
  }

  private final List<ClientWebSocket> sleepers = new ArrayList<>();
  private ClientWebSocket busyWriter;
  private long busyVersion;
  private final String busyDoc = "busy-" + run;

  private void neverReads() throws Exception {
    if (busyWriter == null || busyWriter.isClosed()) {
      busyWriter = small.webSocket();
      busyWriter.textMessageHandler(t -> {
        JsonObject m = new JsonObject(t);
        if ("op".equals(m.getString("a")) && !m.containsKey("error") && m.getValue("v") instanceof Number v) {
          busyVersion = Math.max(busyVersion, v.longValue() + 1);
        }
      });
      busyWriter.connect(port, "127.0.0.1", "/v1/docs").await(5, TimeUnit.SECONDS);
      busyWriter.writeTextMessage(new JsonObject().put("a", "hs").putNull("id").encode());
      busyWriter.writeTextMessage(new JsonObject().put("a", "op").put("c", "hostile").put("d", busyDoc).put("v", 0)
          .put("seq", 1).put("create", new JsonObject().put("type", TEXT).put("data", "")).encode());
    }
    sleepers.removeIf(ClientWebSocket::isClosed);
    while (sleepers.size() < 4) {
      ClientWebSocket s = open(small);
      s.writeTextMessage(new JsonObject().put("a", "s").put("c", "hostile").put("d", busyDoc).encode());
      Thread.sleep(100);
      s.pause();
      sleepers.add(s);
      count("never-reads-connections", 1);
    }
    for (ClientWebSocket s : sleepers) {
      s.writeTextMessage("{\"a\":\"pp\"}");
    }
    count("never-reads", sleepers.size());
    // 20 KB in, 20 KB out: 100 KB/s to every sleeper.
    Object op = counter.getAndIncrement() % 2 == 0 ? new JsonArray().add("w".repeat(20_000))
        : new JsonArray().add(new JsonObject().put("d", 20_000));
    busyWriter.writeTextMessage(new JsonObject().put("a", "op").put("c", "hostile").put("d", busyDoc).put("v", busyVersion)
        .put("seq", counter.incrementAndGet()).put("op", op).encode());
  }

  private void halfOpen() throws IOException {
    idle.removeIf(Socket::isClosed);
    if (idle.size() >= 500) {
      return;
    }
    Socket s = new Socket("127.0.0.1", port);
    if (idle.size() % 2 == 0) {
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    idle.add(s);
    count("half-open-http", 1);
  }

  private void frame(WebSocketClient client, String kind, int chars) throws Exception {
    ClientWebSocket ws = open(client);
    ws.writeTextMessage(new JsonObject().put("a", "op").put("c", "hostile").put("d", kind + "-" + run + "-" + counter.getAndIncrement())
        .put("v", 0).put("seq", 1).put("create", new JsonObject().put("type", TEXT).put("data", "y".repeat(chars))).encode());
    count(kind, 1);
    Thread.sleep(500);
    ws.close();
  }

  private String bomb;

  private void deflateBomb() throws Exception {
    if (bomb == null) {
      bomb = "{\"a\":\"op\",\"c\":\"hostile\",\"d\":\"bomb-" + run + "\",\"v\":1,\"seq\":1,\"op\":[\"" + "A".repeat(50_000_000)
          + "\"]}";
    }
    ClientWebSocket ws = open(deflating);
    ws.writeTextMessage(bomb);
    count("deflate-bomb", 1);
    Thread.sleep(500);
    ws.close();
  }

  private final Semaphore putsInFlight = new Semaphore(4);
  private final Random random = new Random(42);

  private void bigPut() throws Exception {
    if (!putsInFlight.tryAcquire()) {
      return;
    }
    StringBuilder text = new StringBuilder(40_000);
    synchronized (random) {
      for (int i = 0; i < 40_000; i++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
    }
    HttpRequest put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/docs/hostile/put-" + run + "-"
        + (counter.getAndIncrement() % 4))).timeout(Duration.ofSeconds(120)).PUT(HttpRequest.BodyPublishers.ofString(text.toString())).build();
    http.sendAsync(put, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> putsInFlight.release());
    count("put-40k", 1);
  }

  private static final String[] MALFORMED = {
    "{\"a\":\"op\",\"c\":\"hostile\",\"d\":\"nums-RUN\",\"v\":1,\"seq\":SEQ,\"op\":[{\"p\":[\"n\"],\"na\":1.5e308}]}",
    "{\"a\":\"op\",\"c\":\"hostile\",\"d\":\"missing-RUN-SEQ\",\"v\":0,\"seq\":SEQ,\"del\":true}",
    "{\"a\":\"s\",\"c\":\"hostile\",\"d\":\"x\\ud800SEQ\"}",
    "{\"a\":\"op\",\"c\":\"hostile\",\"d\":\"nums-RUN\",\"v\":1,\"seq\":SEQ,\"op\":[{\"p\":[\"__proto__\",\"x\"],\"oi\":1}]}",
    "{\"a\":\"op\",\"c\":\"hostile\",\"d\":\"nums-RUN\",\"v\":1,\"seq\":SEQ,\"op\":[null]}",
    "{\"a\":\"ps\",\"ch\":\"__proto__\",\"seq\":SEQ}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":\"f\",\"c\":\"hostile\",\"d\":7}",
  };

  private int malformedAt;

  private void malformed() throws Exception {
    ClientWebSocket ws = kept("malformed", small);
    if (malformedAt == 0) {
      ws.writeTextMessage(new JsonObject().put("a", "op").put("c", "hostile").put("d", "nums-" + run).put("v", 0)
          .put("seq", 1).put("create", new JsonObject().put("type", JSON0).put("data", new JsonObject().put("n", 1.5e308)))
          .encode());
    }
    String m = MALFORMED[malformedAt++ % MALFORMED.length];
    ws.writeTextMessage(m.replace("RUN", run).replace("SEQ", String.valueOf(1 + malformedAt)));
    count("malformed", 1);
  }

  @Override
  public void close() {
    stopped = true;
    for (Thread t : threads) {
      try {
        t.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Socket s : idle) {
      try {
        s.close();
      } catch (IOException e) {
        // gone already
      }
    }
    small.close();
    big.close();
    deflating.close();
  }
}
