package dev.tandem.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A load generator speaking ShareDB's wire protocol over real WebSockets, so the same client
 * drives Tandem and a ShareDB server. Each writer owns one key of a json0 document and sets it
 * again and again ({@code [{"p":["k7"],"oi":n}]}): valid whatever others do, so the client needs
 * no OT of its own. Measures committed ops per second, submit-to-ack latency, and submit-to-seen
 * latency (the op arriving at another writer on the same document).
 */
public final class LoadGen {

  /**
   * @param rate total ops per second across writers; 0 means closed loop (each writer sends its
   *     next op as soon as the previous one is acknowledged)
   */
  public record Scenario(String name, int docs, int writersPerDoc, int warmupSeconds, int seconds, int rate) {}

  /**
   * What a run measured; {@code serverCores} and {@code generatorCores} are the CPU of the server's
   * processes and of this one over the measured window (NaN when the server's are not known).
   */
  public record Result(String target, Scenario scenario, long acked, long errors, double seconds, Latencies ack,
      Latencies seen, double serverCores, double generatorCores) {
    public double opsPerSecond() {
      return acked / seconds;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%-8s %-34s %,9.0f ops/s  ack %s  seen %s  errors %d  CPU server %.2f / generator %.2f cores",
          target, scenario.name(), opsPerSecond(), ack.summary(), seen.summary(), errors, serverCores, generatorCores);
    }
  }

  private static final int RING = 1 << 16;

  private final Vertx vertx;
  private final String host;
  private final int port;
  /** Where writers connect: {@code /v1/docs}, with {@code ?access_token=} when the server wants a token. */
  private String path = "/v1/docs";
  private final String target;
  private volatile boolean measuring;
  private volatile boolean stopped;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private Set<Long> serverPids = Set.of();

  public LoadGen(Vertx vertx, String target, String host, int port) {
    this.vertx = vertx;
    this.target = target;
    this.host = host;
    this.port = port;
  }

  /** The server's processes, whose CPU each result reports next to this generator's. */
  public LoadGen withServerPids(Set<Long> pids) {
    this.serverPids = pids;
    return this;
  }

  /** The same, connecting to {@code docsPath} (for example with {@code ?access_token=T}). */
  public LoadGen withPath(String docsPath) {
    this.path = docsPath;
    return this;
  }

  /**
   * One scenario against a running server:
   * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.LoadGen PORT DOCS WRITERS SECONDS RATE}
   * (RATE 0: closed loop).
   */
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2));
    Scenario s = new Scenario(args[1] + " docs x " + args[2] + " writers" + (args[4].equals("0") ? "" : " @" + args[4] + "/s"),
        Integer.parseInt(args[1]), Integer.parseInt(args[2]), 3, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    System.out.println(new LoadGen(vertx, "server", "127.0.0.1", Integer.parseInt(args[0])).run(s));
    vertx.close();
  }

  public Result run(Scenario s) throws Exception {
    return run(s, () -> { });
  }

  /** The same, calling {@code whenReady} once every writer is connected and subscribed, before the warm-up. */
  public Result run(Scenario s, Runnable whenReady) throws Exception {
    String run = Long.toString(System.nanoTime(), 36);
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < s.docs(); i++) {
      docs.add(s.name().replaceAll("[^a-z0-9]", "") + "-" + run + "-" + i);
    }
    createDocs(docs);
    List<Writer> writers = new ArrayList<>();
    CountDownLatch ready = new CountDownLatch(s.docs() * s.writersPerDoc());
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
        // Vert.x allows 50 connections per server by default; every writer is a connection.
        .setMaxConnections(100_000));
    int id = 0;
    for (String doc : docs) {
      for (int w = 0; w < s.writersPerDoc(); w++) {
        writers.add(new Writer(id++, doc, client, ready, writers));
      }
    }
    for (int i = 0; i < writers.size(); i += 50) {
      for (Writer w : writers.subList(i, Math.min(writers.size(), i + 50))) {
        w.connect();
      }
      Thread.sleep(25);
    }
    if (!ready.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(ready.getCount() + " writers did not get ready");
    }
    whenReady.run();
    long periodMs = s.rate() == 0 ? 0 : Math.max(1, Math.round(1000.0 * writers.size() / s.rate()));
    for (Writer w : writers) {
      w.start(periodMs);
    }
    Thread.sleep(s.warmupSeconds() * 1000L);
    acked.set(0);
    errors.set(0);
    Set<Long> self = Set.of(ProcessHandle.current().pid());
    Map<Long, Long> server0 = ProcCpu.sample(serverPids);
    Map<Long, Long> gen0 = ProcCpu.sample(self);
    measuring = true;
    long t0 = System.nanoTime();
    Thread.sleep(s.seconds() * 1000L);
    measuring = false;
    long elapsed = System.nanoTime() - t0;
    double seconds = elapsed / 1e9;
    double serverCores = serverPids.isEmpty() ? Double.NaN
        : ProcCpu.between(server0, ProcCpu.sample(serverPids)) / (double) elapsed;
    double generatorCores = ProcCpu.between(gen0, ProcCpu.sample(self)) / (double) elapsed;
    long count = acked.get();
    stopped = true;
    Thread.sleep(500);
    Latencies ack = new Latencies();
    Latencies seen = new Latencies();
    for (Writer w : writers) {
      w.close();
      ack.addAll(w.ackLatency);
      seen.addAll(w.seenLatency);
    }
    client.close();
    stopped = false;
    return new Result(target, s, count, errors.get(), seconds, ack, seen, serverCores, generatorCores);
  }

  private void createDocs(List<String> docs) throws Exception {
    CountDownLatch created = new CountDownLatch(docs.size());
    WebSocketClient client = vertx.createWebSocketClient();
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> {
      JsonObject m = new JsonObject(text);
      if ("op".equals(m.getString("a"))) {
        if (m.containsKey("error")) {
          throw new IllegalStateException("create failed: " + m.encode());
        }
        created.countDown();
      }
    });
    ws.connect(port, host, path).await(10, TimeUnit.SECONDS);
    ws.writeTextMessage(new JsonObject().put("a", "hs").putNull("id").encode());
    long seq = 1;
    for (String d : docs) {
      ws.writeTextMessage(new JsonObject().put("a", "op").put("c", "load").put("d", d).put("v", 0).put("seq", seq++)
          .put("create", new JsonObject().put("type", "http://sharejs.org/types/JSONv0").put("data", new JsonObject()))
          .encode());
    }
    if (!created.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(created.getCount() + " documents were not created");
    }
    ws.close();
    client.close();
  }

  /** One client writing its own key of one document. */
  private final class Writer {
    final int id;
    final String doc;
    final String key;
    final WebSocketClient client;
    final CountDownLatch ready;
    final List<Writer> all;
    final AtomicLongArray sentAt = new AtomicLongArray(RING);
    final Latencies ackLatency = new Latencies();
    final Latencies seenLatency = new Latencies();
    ClientWebSocket ws;
    /** The event loop this writer's socket runs on, caught from its first message. */
    io.vertx.core.Context ctx;
    String src;
    long version;
    long seq;
    int n;
    long timer = -1;
    boolean closedLoop;

    Writer(int id, String doc, WebSocketClient client, CountDownLatch ready, List<Writer> all) {
      this.id = id;
      this.doc = doc;
      this.key = "k" + id;
      this.client = client;
      this.ready = ready;
      this.all = all;
    }

    void connect() {
      ws = client.webSocket();
      ws.textMessageHandler(this::onMessage);
      ws.connect(port, host, path).onSuccess(x -> ws.writeTextMessage(new JsonObject().put("a", "hs").putNull("id")
          .encode())).onFailure(e -> System.err.println("writer " + id + " cannot connect: " + e));
    }

    void start(long periodMs) {
      ctx.runOnContext(x -> {
        if (periodMs == 0) {
          closedLoop = true;
          send();
        } else {
          timer = vertx.setPeriodic((long) (Math.random() * periodMs) + 1, periodMs, t -> send());
        }
      });
    }

    void send() {
      if (stopped) {
        return;
      }
      n++;
      sentAt.set(n & (RING - 1), measuring ? System.nanoTime() : 0);
      ws.writeTextMessage(new JsonObject().put("a", "op").put("c", "load").put("d", doc).put("v", version).put("seq", ++seq)
          .put("op", new JsonArray().add(new JsonObject().put("p", new JsonArray().add(key)).put("oi", n))).encode());
    }

    void onMessage(String text) {
      if (ctx == null) {
        ctx = vertx.getOrCreateContext();
      }
      JsonObject m = new JsonObject(text);
      switch (m.getString("a", "")) {
        case "hs" -> {
          src = m.getString("id");
          ws.writeTextMessage(new JsonObject().put("a", "s").put("c", "load").put("d", doc).encode());
        }
        case "s" -> {
          if (m.containsKey("error")) {
            // Refused (a server under attack may shed load): count it and subscribe again shortly.
            errors.incrementAndGet();
            vertx.setTimer(500, t -> ws.writeTextMessage(new JsonObject().put("a", "s").put("c", "load").put("d", doc)
                .encode()));
            return;
          }
          version = m.getJsonObject("data").getLong("v");
          ready.countDown();
        }
        case "op" -> onOp(m);
        default -> { }
      }
    }

    void onOp(JsonObject m) {
      if (m.containsKey("error")) {
        errors.incrementAndGet();
        if (closedLoop) {
          send();
        }
        return;
      }
      long v = m.getLong("v");
      version = Math.max(version, v + 1);
      JsonArray op = m.getJsonArray("op");
      if (op == null && src.equals(m.getString("src"))) {
        if (measuring) {
          acked.incrementAndGet();
        }
        long sent = sentAt.get((int) (m.getLong("seq") & (RING - 1)));
        if (sent != 0 && measuring) {
          ackLatency.add((System.nanoTime() - sent) / 1000);
        }
        if (closedLoop) {
          send();
        }
      } else if (op != null && !op.isEmpty()) {
        JsonObject c = op.getJsonObject(0);
        String k = c.getJsonArray("p").getString(0);
        Writer author = all.get(Integer.parseInt(k.substring(1)));
        long sent = author.sentAt.get(c.getInteger("oi") & (RING - 1));
        if (sent != 0 && measuring) {
          seenLatency.add((System.nanoTime() - sent) / 1000);
        }
      }
    }

    void close() {
      ctx.runOnContext(x -> {
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
        ws.close();
      });
    }
  }
}
