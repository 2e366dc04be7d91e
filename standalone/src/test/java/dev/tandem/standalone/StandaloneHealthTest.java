package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kafka.local.SharedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server as it is wired: /health names every part and stays 200 through poison on
 * the presence and signals topics; closing it (what SIGTERM's hook does) with minute-long diffs
 * running is quick.
 */
@Timeout(120)
class StandaloneHealthTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String random(Random rnd, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) ('a' + rnd.nextInt(26)));
    }
    return s.toString();
  }

  @Test
  void healthStaysUpThroughPoisonAndClosingCancelsRunningDiffs(@TempDir Path dir) throws Exception {
    String prefix = "s" + UUID.randomUUID().toString().substring(0, 8);
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
        "--kafka", SharedKafka.bootstrapServers(), "--partitions", "2"}, Map.of());
    Map<String, String> env = Map.of("TANDEM_TOPIC_PREFIX", prefix, "TANDEM_PUT_DIFF_MAX_CHARS", "1000000000",
        "TANDEM_PUT_DIFF_TIMEOUT_MS", "60000");
    Standalone server = Standalone.start(config, env);
    boolean closed = false;
    try {
      int port = server.port();
      HttpResponse<String> health = get(port, "/health");
      assertEquals(200, health.statusCode(), health.body());
      for (String part : List.of("ot-service", "ot-service serving", "presence-service", "media-signaling")) {
        assertTrue(health.body().contains("{\"id\":\"" + part + "\",\"status\":\"UP\"}"), health.body());
      }
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          SharedKafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
        String deep = "[".repeat(998) + "]".repeat(998);
        String ch = "notes.poison";
        producer.send(new ProducerRecord<>(prefix + ".presence", ch, ("{\"schema\":1,\"kind\":\"update\",\"gateway\":\"x\","
            + "\"ch\":\"" + ch + "\",\"update\":{\"gateway\":\"x\",\"id\":\"i\",\"src\":\"s\",\"p\":" + deep
            + ",\"pv\":1},\"ts\":0}").getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(prefix + ".presence", ch, ("{\"schema\":1,\"kind\":\"sync\",\"gateway\":\"x\","
            + "\"ch\":\"" + ch + "\",\"ts\":0}").getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(prefix + ".signals", "r", "{".getBytes(StandardCharsets.UTF_8))).get();
      }
      Thread.sleep(1_500);
      health = get(port, "/health");
      assertEquals(200, health.statusCode(), health.body());

      Random rnd = new Random(4);
      List<CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        URI doc = URI.create("http://127.0.0.1:" + port + "/v1/docs/notes/stop-" + i);
        assertEquals(201, HTTP.send(HttpRequest.newBuilder(doc).PUT(HttpRequest.BodyPublishers.ofString(random(rnd,
            40_000))).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        puts.add(HTTP.sendAsync(HttpRequest.newBuilder(doc).PUT(HttpRequest.BodyPublishers.ofString(random(rnd, 40_000)))
            .build(), HttpResponse.BodyHandlers.ofString()));
      }
      Thread.sleep(1_000);
      long started = System.nanoTime();
      server.close();
      closed = true;
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(tookMs < 20_000, "closing took " + tookMs + " ms");
      for (CompletableFuture<HttpResponse<String>> put : puts) {
        try {
          assertEquals(503, put.get(5, TimeUnit.SECONDS).statusCode());
        } catch (ExecutionException e) {
          assertTrue(e.getCause() instanceof IOException, e.toString());
        }
      }
    } finally {
      if (!closed) {
        server.close();
      }
    }
  }
}
