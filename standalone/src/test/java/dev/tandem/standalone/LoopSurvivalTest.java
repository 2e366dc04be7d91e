package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.GatewayVerticle;
import dev.tandem.presence.PresenceServiceVerticle;
import dev.tandem.schemas.PresenceRecord;
import dev.tandem.schemas.Records;
import dev.tandem.signal.SignalingConfig;
import dev.tandem.signal.SignalingVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * presence-service and media-signaling against poison written straight to their topics (bytes that
 * are not JSON, records that break their schema, values nested ~1,000 levels deep): each bad
 * record is skipped, the loops keep answering, and {@code /health} tells the truth.
 */
@Timeout(90)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoopSurvivalTest {

  private static TestCluster cluster;
  private static PresenceServiceVerticle presence;
  private static SignalingVerticle signaling;
  private static GatewayVerticle gateway;
  private static KafkaProducer<String, byte[]> producer;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(2);
    presence = cluster.addPresenceService(Duration.ofSeconds(5));
    gateway = cluster.addGateway(GatewayConfig.fromEnv(Map.of()).withPresence(Duration.ofSeconds(5), Duration.ofMillis(50)),
        SignalingConfig.fromEnv(Map.of()));
    signaling = cluster.signaling.get(0);
    gateway.withHealthCheck("presence-service", () -> presence.loop().progressing())
        .withHealthCheck("media-signaling", signaling::progressing);
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrap), new StringSerializer(),
        new ByteArraySerializer());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    producer.close();
    vertx.close();
    cluster.close();
  }

  private static HttpResponse<String> health() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.port(0)
        + "/health")).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void write(String topic, String key, String value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8))).get();
  }

  private static String deep(int levels) {
    return "[".repeat(levels) + "]".repeat(levels);
  }

  private static String update(String ch, String id, String value) {
    return "{\"schema\":1,\"kind\":\"update\",\"gateway\":\"probe-gw\",\"ch\":\"" + ch + "\",\"update\":{\"gateway\":"
        + "\"probe-gw\",\"id\":\"" + id + "\",\"src\":\"s\",\"p\":" + value + ",\"pv\":1},\"ts\":0}";
  }

  /**
   * The {@code state}s presence-service publishes for probe-gw's syncs of {@code channels}, read
   * from the topic. The channels may sit on different partitions, so their states come in either
   * order, and in one poll: every record polled is looked at.
   */
  private static Map<String, PresenceRecord> statesFor(KafkaConsumer<String, byte[]> consumer, String... channels) {
    Map<String, PresenceRecord> states = new HashMap<>();
    List<String> wanted = List.of(channels);
    long deadline = System.currentTimeMillis() + 15_000;
    while (states.size() < wanted.size() && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        try {
          PresenceRecord p = Records.decode(r.value(), PresenceRecord.class);
          if (PresenceRecord.STATE.equals(p.kind()) && wanted.contains(p.ch()) && "probe-gw".equals(p.gateway())) {
            states.putIfAbsent(p.ch(), p);
          }
        } catch (RuntimeException e) {
          // the poison this test wrote
        }
      }
    }
    for (String ch : wanted) {
      if (!states.containsKey(ch)) {
        throw new AssertionError("presence-service never answered the sync of " + ch);
      }
    }
    return states;
  }

  private static KafkaConsumer<String, byte[]> tail(String topic) {
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", cluster.bootstrap),
        new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> all = new ArrayList<>();
    for (int p = 0; p < cluster.partitions; p++) {
      all.add(new TopicPartition(topic, p));
    }
    consumer.assign(all);
    consumer.seekToEnd(all);
    all.forEach(consumer::position);
    return consumer;
  }

  @Test
  @Order(1)
  void presenceServiceSkipsPoisonAndKeepsAnsweringSyncs() throws Exception {
    String topic = cluster.topics.presence();
    String ch = "notes.deep-" + UUID.randomUUID();
    String ok = "notes.ok-" + UUID.randomUUID();
    long skippedBefore = presence.loop().skippedCount();
    try (KafkaConsumer<String, byte[]> consumer = tail(topic)) {
      write(topic, ch, "not json at all");
      write(topic, ch, "{\"schema\":1,\"kind\":\"no-such-kind\",\"gateway\":\"probe-gw\",\"ts\":0}");
      // 998 levels: the record still reads (1,000-level limit), but a state carrying it could not be written.
      write(topic, ch, update(ch, "deep", deep(998)));
      write(topic, ch, new String(Records.encode(PresenceRecord.sync("probe-gw", ch)), StandardCharsets.UTF_8));
      write(topic, ok, update(ok, "caret", "{\"index\":1,\"length\":0}"));
      write(topic, ok, new String(Records.encode(PresenceRecord.sync("probe-gw", ok)), StandardCharsets.UTF_8));
      Map<String, PresenceRecord> states = statesFor(consumer, ch, ok);
      assertTrue(states.get(ch).entries().isEmpty(), "the deep value was kept");
      PresenceRecord state = states.get(ok);
      assertEquals(1, state.entries().size());
      assertEquals("caret", state.entries().get(0).id());
    }
    assertEquals(3, presence.loop().skippedCount() - skippedBefore);
    assertTrue(presence.loop().progressing());
    HttpResponse<String> health = health();
    assertEquals(200, health.statusCode(), health.body());
  }

  @Test
  @Order(2)
  void signalingSkipsPoisonAndKeepsRelaying() throws Exception {
    String room = "r-" + UUID.randomUUID();
    try (WsClient a = new WsClient(vertx, cluster.port(0), "/v1/signal");
        WsClient b = new WsClient(vertx, cluster.port(0), "/v1/signal")) {
      a.send(new JsonObject().put("type", "join").put("room", room).put("meta", new JsonObject()));
      a.next(m -> "joined".equals(m.getString("type")));
      b.send(new JsonObject().put("type", "join").put("room", room).put("meta", new JsonObject()));
      String idB = b.next(m -> "joined".equals(m.getString("type"))).getString("peerId");
      long skippedBefore = signaling.skippedCount();
      String topic = cluster.topics.signals();
      write(topic, room, "{{{{");
      write(topic, room, "{\"schema\":1,\"kind\":\"members\",\"instance\":\"ghost\",\"room\":\"" + room + "\",\"ts\":0}");
      write(topic, room, "{\"schema\":1,\"kind\":\"join\",\"instance\":\"ghost\",\"room\":\"" + room
          + "\",\"peerId\":\"ghost-peer\",\"meta\":" + deep(990) + ",\"ts\":0}");
      long deadline = System.currentTimeMillis() + 10_000;
      while (signaling.skippedCount() - skippedBefore < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(signaling.skippedCount() - skippedBefore >= 2, "the malformed records were not counted as skipped");
      a.send(new JsonObject().put("type", "signal").put("room", room).put("to", idB)
          .put("data", new JsonObject().put("sdp", "v=0")));
      JsonObject relayed = b.next(m -> "signal".equals(m.getString("type")));
      assertEquals("v=0", relayed.getJsonObject("data").getString("sdp"));
      // A client's message nested too deeply to relay is refused at the edge.
      a.send("{\"type\":\"broadcast\",\"room\":\"" + room + "\",\"data\":" + deep(100) + "}");
      JsonObject refused = a.next(m -> "error".equals(m.getString("type")));
      assertEquals("BAD_MESSAGE", refused.getString("code"), refused.encode());
      assertFalse(refused.getString("message").contains("StreamReadConstraints"), refused.encode());
    }
    assertTrue(signaling.progressing());
    HttpResponse<String> health = health();
    assertEquals(200, health.statusCode(), health.body());
  }

  @Test
  @Order(3)
  void healthNamesALoopThatStoppedMakingProgress() throws Exception {
    presence.loop().stop(Duration.ofSeconds(10));
    assertFalse(presence.loop().progressing());
    HttpResponse<String> health = health();
    assertEquals(503, health.statusCode(), health.body());
    // vertx-health-check's JSON: one entry per check.
    assertTrue(health.body().contains("{\"id\":\"presence-service\",\"status\":\"DOWN\"}"), health.body());
    assertTrue(health.body().contains("{\"id\":\"media-signaling\",\"status\":\"UP\"}"), health.body());
  }
}
