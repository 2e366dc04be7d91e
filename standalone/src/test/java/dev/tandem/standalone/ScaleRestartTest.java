package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SubmittedOp;
import dev.tandem.schemas.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server with 20,000 documents (written straight to {@code tandem.ops.submitted},
 * as fast as the server commits them), few of them resident: cold documents load after eviction,
 * a restart on the same data directory serves every sampled document with its content and takes
 * edits, and {@code /health} says 200 only once that is so.
 */
@Timeout(300)
class ScaleRestartTest {

  private static final int DOCS = Integer.getInteger("tandem.scaleDocs", 20_000);
  private static final int SAMPLES = 60;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  void servesEverySampledDocumentAfterEvictionAndARestartAndIsNotReadyBefore(@TempDir Path dir) throws Exception {
    int port = freePort();
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", String.valueOf(port), "--data-dir",
        dir.toString(), "--partitions", "4"}, Map.of());
    // Few documents resident and soon idle: most loads below are cold.
    Map<String, String> env = Map.of("TANDEM_MAX_DOCS", "500", "TANDEM_IDLE_EVICT_MS", "1000", "TANDEM_FLUSH_MS", "1000");
    int[] edited = IntStream.range(0, SAMPLES).map(i -> i * (DOCS / SAMPLES)).toArray();
    int[] untouched = IntStream.range(0, SAMPLES).map(i -> i * (DOCS / SAMPLES) + 1).toArray();
    try (Standalone first = Standalone.start(config, env)) {
      createDocuments(first.bootstrapServers());
      long deadline = System.currentTimeMillis() + 120_000;
      while (first.otService().loop().committedOps() < DOCS) {
        assertTrue(System.currentTimeMillis() < deadline, "committed " + first.otService().loop().committedOps());
        Thread.sleep(50);
      }
      try (WsClient c = WsClient.shareDb(vertx, first.port())) {
        for (int i : edited) {
          assertAck(c, i, 1, 1);
        }
        Thread.sleep(3_000); // idle for longer than TANDEM_IDLE_EVICT_MS, past two flushes
        for (int i : untouched) {
          assertFetch(c, i, 1, text(i));
        }
      }
    }

    CompletableFuture<Void> firstHealthy = CompletableFuture.runAsync(() -> fetchOnFirstHealthy(port, edited));
    try (Standalone second = Standalone.start(config, env); WsClient c = WsClient.shareDb(vertx, second.port())) {
      firstHealthy.get();
      assertEquals(200, health(port));
      for (int i : edited) {
        assertFetch(c, i, 2, text(i) + "!");
      }
      for (int i : untouched) {
        assertFetch(c, i, 1, text(i));
        assertAck(c, i, 1, 2);
      }
      for (int i : edited) {
        assertAck(c, i, 2, 3);
      }
    }
  }

  /**
   * Polls {@code /health} while the server starts; the moment it says 200, documents must be
   * served at once (ten fetches answered within 8 s on a busy machine), not after a rebuild it was hiding.
   */
  private static void fetchOnFirstHealthy(int port, int[] docs) {
    try {
      long deadline = System.currentTimeMillis() + 200_000;
      while (health(port) != 200) {
        assertTrue(System.currentTimeMillis() < deadline, "/health never said 200");
        Thread.sleep(10);
      }
      long healthy = System.currentTimeMillis();
      try (WsClient c = WsClient.shareDb(vertx, port)) {
        for (int k = 0; k < 10; k++) {
          int i = docs[k * docs.length / 10];
          c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", "d" + i));
          JsonObject f = c.next(m -> "f".equals(m.getString("a")) && ("d" + i).equals(m.getString("d")));
          assertFalse(f.containsKey("error"), f.encode());
        }
      }
      long took = System.currentTimeMillis() - healthy;
      assertTrue(took < 8_000, "10 fetches took " + took + " ms after /health said 200");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void createDocuments(String bootstrap) throws Exception {
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
      String topic = Topics.DEFAULT.submitted();
      for (int i = 0; i < DOCS; i++) {
        SubmittedOp op = new SubmittedOp(1, "create", "notes", "d" + i, "loader", (long) i, 0L, null,
            new CreateData("text-unicode", TextNode.valueOf(text(i))), null, "loader", null, null, 0);
        p.send(new ProducerRecord<>(topic, op.key().value(), Records.encode(op)));
      }
      p.flush();
    }
  }

  private static String text(int i) {
    return "document " + i;
  }

  private static void assertFetch(WsClient c, int i, long v, String data) throws Exception {
    c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", "d" + i));
    JsonObject f = c.next(m -> "f".equals(m.getString("a")) && ("d" + i).equals(m.getString("d")));
    assertFalse(f.containsKey("error"), f.encode());
    assertEquals(v, f.getJsonObject("data").getLong("v"), "d" + i);
    assertEquals(data, f.getJsonObject("data").getString("data"), "d" + i);
  }

  /** Appends "!" to document {@code i} based on version {@code v}; the ack must say {@code v}. */
  private static void assertAck(WsClient c, int i, long v, long seq) throws Exception {
    int at = text(i).length() + (int) v - 1; // ASCII: code points are chars
    c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", "d" + i).put("v", v).put("seq", seq)
        .put("op", new JsonArray(List.of(at, "!"))));
    JsonObject ack = c.next(m -> "op".equals(m.getString("a")) && ("d" + i).equals(m.getString("d")));
    assertFalse(ack.containsKey("error"), ack.encode());
    assertEquals(v, ack.getLong("v"), ack.encode());
  }

  private static int health(int port) throws Exception {
    try {
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(5))
              .build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
