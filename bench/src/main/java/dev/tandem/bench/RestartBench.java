package dev.tandem.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SubmittedOp;
import dev.tandem.schemas.Topics;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Restart time and memory against the number of documents: for each size, starts the standalone
 * server (a child JVM) on a fresh data directory, writes that many documents and their ops
 * straight to {@code tandem.ops.submitted} (creates, then edits spread over every document),
 * waits until all are committed, stops the server (SIGTERM: it flushes), starts it again on the
 * same directory and times it until {@code /health} says 200 and until a sample of documents,
 * spread over all of them, has been fetched over the ShareDB protocol with the right version.
 * Then reads the server's resident memory.
 *
 * <p>Usage (after {@code mvn -B -DskipTests package}):
 * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.RestartBench [DOCS ...] [--ops-per-doc N]
 * [--sample N]}; the defaults are 10000 50000 200000 documents, 20 ops each (the 50,000 case
 * has 1,000,000 ops), 1,000 sampled fetches.
 */
public final class RestartBench {

  private RestartBench() {}

  /** One size's figures. */
  record Result(int docs, long ops, String dataDir, long healthyMs, String rebuild, long firstMs, long servedMs,
      String rss, long sampled, String coldFetch) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%,9d docs %,11d ops  data %8s  /health 200 after %,7d ms (ot-service rebuild %s)"
          + "  first fetch +%,d ms  %,d sampled documents served after %,7d ms  RSS after restart %s  cold fetch %s", docs,
          ops, dataDir, healthyMs, rebuild, firstMs, sampled, servedMs, rss, coldFetch);
    }
  }

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    int opsPerDoc = 20;
    int sample = 1000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--ops-per-doc" -> opsPerDoc = Integer.parseInt(args[++i]);
        case "--sample" -> sample = Integer.parseInt(args[++i]);
        default -> sizes.add(Integer.parseInt(args[i]));
      }
    }
    if (sizes.isEmpty()) {
      sizes.addAll(List.of(10_000, 50_000, 200_000));
    }
    Path jar = Path.of("").toAbsolutePath().resolve("standalone/target/tandem.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException("build first: " + jar + " is missing");
    }
    List<Result> results = new ArrayList<>();
    for (int docs : sizes) {
      Result r = run(jar, docs, opsPerDoc, Math.min(sample, docs));
      System.out.println(r);
      results.add(r);
    }
    System.out.println();
    System.out.println("== restart against documents (" + Runtime.getRuntime().availableProcessors() + " cores) ==");
    results.forEach(System.out::println);
  }

  private static Result run(Path jar, int docs, int opsPerDoc, int sample) throws Exception {
    Path data = Files.createTempDirectory("tandem-restart-bench-");
    int port = LoadBench.freePort();
    long ops = (long) docs * opsPerDoc;
    Process server = start(jar, data, port, "first");
    try {
      LoadBench.awaitHealthy(port);
      String bootstrap = "127.0.0.1:" + Files.readString(data.resolve("kafka/broker.port")).trim();
      long t0 = System.nanoTime();
      populate(bootstrap, docs, opsPerDoc);
      awaitCommitted(bootstrap);
      System.out.printf(Locale.ROOT, "%,d docs, %,d ops written and committed in %,d ms%n", docs, ops,
          (System.nanoTime() - t0) / 1_000_000);
      Thread.sleep(6_000); // past a flush: what a running server has on disk
    } finally {
      stop(server);
    }
    String size = du(data);
    long started = System.nanoTime();
    server = start(jar, data, port, "second");
    try {
      LoadBench.awaitHealthy(port);
      long healthy = (System.nanoTime() - started) / 1_000_000;
      long first = System.nanoTime();
      fetchSample(port, docs, 1, opsPerDoc);
      long firstMs = (System.nanoTime() - first) / 1_000_000;
      fetchSample(port, docs, sample, opsPerDoc);
      long served = (System.nanoTime() - started) / 1_000_000;
      String rss = LoadBench.rssOf(server.pid());
      return new Result(docs, ops, size, healthy, rebuildTime(data.resolve("server-second.log")), firstMs, served,
          rss, sample, coldFetches(port, docs, sample, opsPerDoc));
    } finally {
      stop(server);
    }
  }

  private static Process start(Path jar, Path data, int port, String name) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(List.of(System.getenv().getOrDefault("TANDEM_SERVER_JVM_OPTS", "-Xmx512m").trim().split("\\s+")));
    cmd.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(port), "--data-dir", data.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(data.resolve("server-" + name + ".log").toFile());
    // The sampled fetches go down one connection, faster than a person would send them.
    pb.environment().put("TANDEM_MAX_MESSAGES_PER_SECOND", "1000000");
    return pb.start();
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
  }

  /** Creates {@code docs} documents, then {@code opsPerDoc - 1} edits of each, round after round. */
  private static void populate(String bootstrap, int docs, int opsPerDoc) {
    String topic = Topics.DEFAULT.submitted();
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < docs; i++) {
        send(p, topic, new SubmittedOp(1, "create", "bench", "d" + i, "bench", 0L, 0L, null,
            new CreateData("text-unicode", TextNode.valueOf("document " + i)), null, "bench", null, null, 0));
      }
      for (int round = 1; round < opsPerDoc; round++) {
        for (int i = 0; i < docs; i++) {
          // Based on "the latest" (v absent): an insert at 0 applies whatever came before.
          send(p, topic, new SubmittedOp(1, "op", "bench", "d" + i, "bench", (long) round, null,
              JsonNodeFactory.instance.arrayNode().add("x"), null, null, "bench", null, null, 0));
        }
      }
      p.flush();
    }
  }

  private static void send(KafkaProducer<String, byte[]> p, String topic, SubmittedOp op) {
    p.send(new ProducerRecord<>(topic, op.key().value(), Records.encode(op)));
  }

  /** Waits until ot-service's group has committed its offsets past every submitted record. */
  private static void awaitCommitted(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
            new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = c.partitionsFor(Topics.DEFAULT.submitted()).stream()
          .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
      c.assign(tps);
      long end = c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
      long last = -1;
      long lastChange = System.currentTimeMillis();
      while (true) {
        long done = admin.listConsumerGroupOffsets("tandem-ot").partitionsToOffsetAndMetadata().get().values().stream()
            .filter(o -> o != null).mapToLong(o -> o.offset()).sum();
        if (done >= end) {
          return;
        }
        if (done != last) {
          last = done;
          lastChange = System.currentTimeMillis();
        } else if (System.currentTimeMillis() - lastChange > 120_000) {
          throw new IllegalStateException("ot-service stopped at " + done + " of " + end + " submitted records");
        }
        Thread.sleep(500);
      }
    }
  }

  /** Fetches {@code sample} documents spread over all of them down one ShareDB connection. */
  private static void fetchSample(int port, int docs, int sample, int opsPerDoc) throws Exception {
    AtomicInteger answered = new AtomicInteger();
    CompletableFuture<Void> all = new CompletableFuture<>();
    StringBuilder partial = new StringBuilder();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/docs"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence text, boolean last) {
            partial.append(text);
            if (last) {
              JsonObject m = new JsonObject(partial.toString());
              partial.setLength(0);
              if ("f".equals(m.getString("a"))) {
                if (m.containsKey("error") || m.getJsonObject("data").getLong("v") != opsPerDoc) {
                  all.completeExceptionally(new IllegalStateException("wrong answer: " + m.encode()));
                } else if (answered.incrementAndGet() == sample) {
                  all.complete(null);
                }
              }
            }
            socket.request(1);
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    for (int k = 0; k < sample; k++) {
      long i = (long) k * docs / sample;
      ws.sendText(new JsonObject().put("a", "f").put("c", "bench").put("d", "d" + i).encode(), true).get();
    }
    all.get(600, TimeUnit.SECONDS);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
  }

  /**
   * One fetch at a time of documents nobody has asked for since the restart (the ones between the
   * sampled ones): what a user opening a cold document waits, through the gateway's load.
   */
  private static String coldFetches(int port, int docs, int sample, int opsPerDoc) throws Exception {
    int n = Math.min(200, docs - sample);
    if (n <= 0) {
      return "n/a";
    }
    java.util.concurrent.BlockingQueue<String> answers = new java.util.concurrent.LinkedBlockingQueue<>();
    StringBuilder partial = new StringBuilder();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/docs"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence text, boolean last) {
            partial.append(text);
            if (last) {
              answers.add(partial.toString());
              partial.setLength(0);
            }
            socket.request(1);
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    long[] micros = new long[n];
    for (int k = 0; k < n; k++) {
      long i = (long) k * docs / n + 1;
      if (i % Math.max(1, docs / sample) == 0) {
        i++;
      }
      String d = "d" + Math.min(i, docs - 1);
      long t = System.nanoTime();
      ws.sendText(new JsonObject().put("a", "f").put("c", "bench").put("d", d).encode(), true).get();
      while (true) {
        String text = answers.poll(60, TimeUnit.SECONDS);
        if (text == null) {
          throw new IllegalStateException("no answer to a fetch of " + d + " within 60 s");
        }
        JsonObject m = new JsonObject(text);
        if ("f".equals(m.getString("a")) && d.equals(m.getString("d"))) {
          if (m.containsKey("error") || m.getJsonObject("data").getLong("v") != opsPerDoc) {
            throw new IllegalStateException("wrong answer: " + text);
          }
          break;
        }
      }
      micros[k] = (System.nanoTime() - t) / 1_000;
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    java.util.Arrays.sort(micros);
    return String.format(Locale.ROOT, "p50 %.1f ms p99 %.1f ms (%d, one at a time)", micros[n / 2] / 1000.0,
        micros[Math.min(n - 1, n * 99 / 100)] / 1000.0, n);
  }

  /** What ot-service logged for its rebuild at start ("rebuilt partitions [...] in N ms"). */
  private static String rebuildTime(Path log) throws Exception {
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains("rebuilt partitions")).map(l -> l.substring(l.lastIndexOf(" in ") + 4))
          .reduce((a, b) -> b).orElse("not logged");
    }
  }

  private static String du(Path dir) throws Exception {
    long bytes;
    try (Stream<Path> files = Files.walk(dir)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
    return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }
}
