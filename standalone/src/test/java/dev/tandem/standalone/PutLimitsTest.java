package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.GatewayVerticle;
import dev.tandem.gateway.TransportConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whole-content PUT under load, against a real server and broker: big unrelated texts (the Myers
 * diff of two 40k-character texts took over 30 s), many at once beside other users' reads,
 * documents of another type, and a gateway stopping with diffs running.
 */
@Timeout(90)
class PutLimitsTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static TestCluster cluster;
  private static Vertx vertx;
  private static final List<Vertx> servers = new ArrayList<>();
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(2);
    cluster.addOtService();
    vertx = Vertx.vertx();
    // No size budget, so the diffs run into their time budget; 4 PUTs at once, 2 threads.
    port = deploy(TransportConfig.fromEnv(Map.of()).withPutLimits(Integer.MAX_VALUE, Duration.ofMillis(500), 2, 4));
  }

  private static int deploy(TransportConfig transport) throws Exception {
    Vertx server = Vertx.vertx();
    servers.add(server);
    GatewayVerticle gw = new GatewayVerticle(GatewayConfig.fromEnv(Map.of())
        .with(0, cluster.bootstrap, cluster.topics, "gw-" + UUID.randomUUID())).withTransport(transport);
    server.deployVerticle(gw).await(90, TimeUnit.SECONDS);
    return gw.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    for (Vertx server : servers) {
      try {
        server.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closed by the test already
      }
    }
    cluster.close();
  }

  private static String random(Random rnd, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) ('a' + rnd.nextInt(26)));
    }
    return s.toString();
  }

  private static HttpRequest put(int p, String id, String text) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/v1/docs/notes/" + id))
        .timeout(Duration.ofSeconds(20)).PUT(HttpRequest.BodyPublishers.ofString(text)).build();
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String textOf(int p, String id) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/v1/docs/notes/" + id))
        .timeout(Duration.ofSeconds(10)).GET().build());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("data");
  }

  @Test
  void aWholeReplacementOf40kCharactersIsAnsweredAndApplied() throws Exception {
    Random rnd = new Random(1);
    String id = "big-" + UUID.randomUUID();
    assertEquals(201, send(put(port, id, random(rnd, 40_000))).statusCode());
    String next = random(rnd, 40_000);
    HttpResponse<String> r = send(put(port, id, next));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(new JsonObject(r.body()).getBoolean("changed"));
    assertEquals(next, textOf(port, id));
  }

  @Test
  void manyBigPutsAtOnceLeaveOtherUsersOpsAndFetchesAnswered() throws Exception {
    Random rnd = new Random(2);
    String other = "other-" + UUID.randomUUID();
    assertEquals(201, send(put(port, other, "hello")).statusCode());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add("load-" + UUID.randomUUID());
      assertEquals(201, send(put(port, ids.get(i), random(rnd, 40_000))).statusCode());
    }
    List<String> texts = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
    for (String id : ids) {
      texts.add(random(rnd, 40_000));
      puts.add(HTTP.sendAsync(put(port, id, texts.get(texts.size() - 1)), HttpResponse.BodyHandlers.ofString()));
    }
    // Another user reads the ops stream and fetches a version over ShareDB meanwhile.
    HttpResponse<String> ops = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/docs/notes/"
        + other + "/ops")).timeout(Duration.ofSeconds(5)).GET().build());
    assertEquals(200, ops.statusCode(), ops.body());
    try (WsClient c = WsClient.shareDb(vertx, port)) {
      c.send(new JsonObject().put("a", "nf").put("id", 1).put("c", "notes").put("d", other).put("v", 1));
      JsonObject nf = c.next("nf");
      assertFalse(nf.containsKey("error"), nf.encode());
    }
    int ok = 0;
    int busy = 0;
    for (int i = 0; i < puts.size(); i++) {
      HttpResponse<String> r = puts.get(i).get(30, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
        assertEquals(texts.get(i), textOf(port, ids.get(i)));
      } else {
        assertEquals(429, r.statusCode(), r.body());
        assertEquals("ERR_RATE_LIMITED", new JsonObject(r.body()).getJsonObject("error").getString("code"));
        busy++;
      }
    }
    assertTrue(ok >= 4, ok + " PUTs went through");
    assertTrue(busy > 0, "20 PUTs at once never met the limit of 4");
  }

  @Test
  void aPutToAJson0DocumentIsAnswered415() throws Exception {
    String id = "json-" + UUID.randomUUID();
    try (WsClient c = WsClient.shareDb(vertx, port)) {
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 0).put("seq", 1)
          .put("create", new JsonObject().put("type", "http://sharejs.org/types/JSONv0").put("data", new JsonObject())));
      assertFalse(c.next("op").containsKey("error"));
    }
    HttpResponse<String> r = send(put(port, id, "text"));
    assertEquals(415, r.statusCode(), r.body());
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertTrue(error.getString("message").contains("text-unicode"), r.body());
  }

  @Test
  void aBodyOverTheMessageLimitIsAnswered413() throws Exception {
    HttpResponse<String> r = send(put(port, "huge-" + UUID.randomUUID(), "x".repeat(1024 * 1024 + 1)));
    assertEquals(413, r.statusCode(), r.body());
    assertEquals("ERR_MESSAGE_TOO_LARGE", new JsonObject(r.body()).getJsonObject("error").getString("code"));
  }

  @Test
  void stoppingTheGatewayCancelsRunningDiffs() throws Exception {
    // Diffs with a minute of budget: without cancellation they would hold the stop for ~30 s each.
    int p = deploy(TransportConfig.fromEnv(Map.of()).withPutLimits(Integer.MAX_VALUE, Duration.ofSeconds(60), 2, 8));
    Vertx server = servers.get(servers.size() - 1);
    Random rnd = new Random(3);
    List<CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String id = "stop-" + UUID.randomUUID();
      assertEquals(201, send(put(p, id, random(rnd, 40_000))).statusCode());
      puts.add(HTTP.sendAsync(put(p, id, random(rnd, 40_000)), HttpResponse.BodyHandlers.ofString()));
    }
    Thread.sleep(1_000);
    long started = System.nanoTime();
    server.close().await(15, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(tookMs < 15_000, "stop took " + tookMs + " ms");
    for (CompletableFuture<HttpResponse<String>> put : puts) {
      try {
        HttpResponse<String> r = put.get(5, TimeUnit.SECONDS);
        assertEquals(503, r.statusCode(), r.body());
      } catch (java.util.concurrent.ExecutionException e) {
        assertTrue(e.getCause() instanceof IOException, e.toString()); // the connection closed unanswered
      }
    }
  }
}
