package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kafka.local.SharedKafka;
import dev.tandem.standalone.cli.Service;
import dev.tandem.standalone.cli.TandemCli;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every service started alone from its command, as the images run them, with nothing but a
 * Kafka address: ot-service, presence, a gateway and a signaling instance, each with its own
 * probes and metrics; an op through the gateway is committed by the ot-service; a drain closes
 * clients with 1012 after readiness went 503.
 */
class ServicesAloneTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<Service> services = new ArrayList<>();
  private static Service ot;
  private static Service presence;
  private static Service gateway;
  private static Service signaling;
  private static Vertx vertx;
  @TempDir static Path state;

  @BeforeAll
  static void start() throws Exception {
    String prefix = "alone" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = Map.of("TANDEM_KAFKA", SharedKafka.bootstrapServers(), "TANDEM_TOPIC_PREFIX", prefix);
    ot = started(TandemCli.start(new String[] {"ot-service", "--port", "0", "--partitions", "2", "--state-dir",
        state.toString(), "--instance", "ot-alone-" + prefix}, env));
    presence = started(TandemCli.start(new String[] {"presence", "--port", "0"}, env));
    // The Kafka address as a flag this time: a flag stands in for its variable.
    gateway = started(TandemCli.start(new String[] {"gateway", "--kafka", SharedKafka.bootstrapServers(), "--port", "0",
        "--topic-prefix", prefix, "--set", "TANDEM_MAX_MESSAGES_PER_SECOND=1000"}, Map.of()));
    signaling = started(TandemCli.start(new String[] {"signaling", "--port", "0"}, env));
    vertx = Vertx.vertx();
    long deadline = System.currentTimeMillis() + 60_000;
    while (get(ot, "/health/ready").statusCode() != 200 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
  }

  private static Service started(Service s) {
    services.add(s);
    return s;
  }

  @AfterAll
  static void stop() throws Exception {
    for (Service s : services) {
      s.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<String> get(Service s, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of a meter without labels on the service's {@code /metrics}. */
  private static double metric(Service s, String name) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(get(s, "/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void everyServiceAnswersItsProbesAndMetrics() throws Exception {
    for (Service s : List.of(ot, presence, gateway, signaling)) {
      assertEquals(200, get(s, "/health/live").statusCode(), s.name() + ": " + get(s, "/health/live").body());
      assertEquals(200, get(s, "/health/ready").statusCode(), s.name() + ": " + get(s, "/health/ready").body());
      String metrics = get(s, "/metrics").body();
      assertTrue(metrics.contains("jvm_memory_used_bytes"), s.name());
      assertTrue(metrics.contains("vertx_"), s.name() + " reports Vert.x's own meters");
    }
    assertTrue(get(ot, "/metrics").body().contains("kafka_consumer_"), "ot-service reports its Kafka clients");
    assertTrue(get(presence, "/metrics").body().contains("tandem_presence_entries"));
    assertTrue(get(signaling, "/metrics").body().contains("tandem_signal_rooms"));
  }

  @Test
  void anOpThroughTheGatewayIsCommittedByTheOtServiceAndCounted() throws Exception {
    String id = "d" + UUID.randomUUID().toString().substring(0, 8);
    try (WsClient c = WsClient.shareDb(vertx, gateway.port())) {
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 0).put("seq", 1)
          .put("create", new JsonObject().put("type", "http://sharejs.org/types/text-unicode").put("data", "hi")));
      assertEquals(0, c.next("op").getLong("v"));
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 1).put("seq", 2)
          .put("op", new JsonArray().add(2).add("!")));
      JsonObject ack = c.next("op");
      assertEquals(1, ack.getLong("v"), ack.encode());
    }
    assertTrue(metric(gateway, "tandem_gateway_ops_acked_total") >= 2);
    assertTrue(metric(gateway, "tandem_gateway_ack_latency_seconds_count") >= 2);
    assertTrue(metric(ot, "tandem_ot_ops_committed_total") >= 2);
  }

  @Test
  void signalingAloneServesRoomsAndNoDocuments() throws Exception {
    try (WsClient peer = new WsClient(vertx, signaling.port(), "/v1/signal")) {
      peer.send(new JsonObject().put("type", "join").put("room", "r" + UUID.randomUUID()).put("meta", new JsonObject()));
      assertEquals("joined", peer.next(m -> m.containsKey("type")).getString("type"));
    }
    assertTrue(metric(signaling, "tandem_signal_joins_total") >= 1);
    assertThrows(Exception.class, () -> new WsClient(vertx, signaling.port(), "/v1/docs").close());
  }

  @Test
  void aDrainedGatewayTurnsReadinessDownThenClosesItsClientsWith1012() throws Exception {
    String prefix = "drain" + UUID.randomUUID().toString().substring(0, 8);
    Service gw = TandemCli.start(new String[] {"gateway", "--port", "0", "--drain-ms", "1500"},
        Map.of("TANDEM_KAFKA", SharedKafka.bootstrapServers(), "TANDEM_TOPIC_PREFIX", prefix));
    assertEquals(Duration.ofMillis(1500), gw.drainTime(), "the flag, not the variable's default");
    List<WsClient> clients = new ArrayList<>();
    List<CompletableFuture<Short>> closes = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        WsClient c = WsClient.shareDb(vertx, gw.port());
        CompletableFuture<Short> closed = new CompletableFuture<>();
        c.whenClosed(closed::complete);
        clients.add(c);
        closes.add(closed);
      }
      int port = gw.port();
      CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> gw.drainAndClose(gw.drainTime()));
      long deadline = System.currentTimeMillis() + 5000;
      int readiness = 0;
      while (System.currentTimeMillis() < deadline) {
        readiness = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
        if (readiness == 503) {
          break;
        }
      }
      assertEquals(503, readiness, "readiness goes down while the sockets are still open");
      for (CompletableFuture<Short> closed : closes) {
        assertEquals((short) 1012, closed.get(10, TimeUnit.SECONDS));
      }
      drained.get(30, TimeUnit.SECONDS);
    } finally {
      clients.forEach(WsClient::close);
    }
  }
}
