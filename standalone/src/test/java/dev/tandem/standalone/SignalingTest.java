package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.SchemaCatalog;
import dev.tandem.signal.SignalingConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The signaling protocol at {@code /v1/signal} with many WebSocket clients on two instances:
 * rooms, relay across instances, broadcast, leave, resume, limits and every error code, TURN
 * credentials, and an instance that crashes.
 */
@Timeout(120)
class SignalingTest {

  private static final String SECRET = "test-secret";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private static TestCluster cluster;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(2);
    SignalingConfig sig = SignalingConfig.fromEnv(Map.of())
        .withLimits(3, 4096, 20, Duration.ofMillis(1500))
        .withTurn(SECRET, Duration.ofSeconds(600), List.of("turn:127.0.0.1:3478?transport=udp"), List.of("stun:127.0.0.1:3478"));
    sig = new SignalingConfig(sig.bootstrapServers(), sig.topics(), sig.instanceId(), sig.roomCapacity(),
        sig.maxMessageBytes(), sig.messagesPerSecond(), sig.resumeGrace(), Duration.ofMillis(1500), sig.turnSecret(),
        sig.turnTtl(), sig.turnUrls(), sig.stunUrls());
    for (int i = 0; i < 3; i++) {
      cluster.addGateway(GatewayConfig.fromEnv(Map.of()), sig);
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    cluster.close();
  }

  private static WsClient peer(int instance) throws Exception {
    return new WsClient(vertx, cluster.port(instance), "/v1/signal");
  }

  private static JsonObject join(WsClient c, String room, JsonObject meta) throws Exception {
    c.send(new JsonObject().put("type", "join").put("room", room).put("meta", meta));
    return valid(c.next(m -> "joined".equals(m.getString("type")) || "error".equals(m.getString("type"))));
  }

  private static JsonObject next(WsClient c, String type) throws Exception {
    return valid(c.next(m -> type.equals(m.getString("type"))));
  }

  /** Every server message the tests look at must match its schema in schemas/signaling. */
  private static JsonObject valid(JsonObject m) throws Exception {
    String type = m.getString("type");
    String schema = "signaling/" + (type.equals("signal") || type.equals("broadcast") ? type + "-relayed" : type) + ".json";
    List<String> problems = SchemaCatalog.validate(schema, JSON.readTree(m.encode()));
    assertEquals(List.of(), problems, m.encode());
    return m;
  }

  private static String room() {
    return "room-" + UUID.randomUUID();
  }

  @Test
  void roomsRelayAndLeaveAcrossInstances() throws Exception {
    String room = room();
    try (WsClient a = peer(0); WsClient b = peer(1); WsClient c = peer(0)) {
      JsonObject ja = join(a, room, new JsonObject().put("name", "Ann"));
      assertEquals("joined", ja.getString("type"), ja.encode());
      assertEquals(0, ja.getJsonArray("peers").size());
      String idA = ja.getString("peerId");
      assertTrue(ja.getString("token").length() >= 32);
      JsonArray ice = ja.getJsonArray("iceServers");
      assertEquals("turn:127.0.0.1:3478?transport=udp", ice.getJsonObject(1).getJsonArray("urls").getString(0));

      JsonObject jb = join(b, room, new JsonObject().put("name", "Bob"));
      String idB = jb.getString("peerId");
      assertEquals(List.of(idA), jb.getJsonArray("peers").stream().map(p -> ((JsonObject) p).getString("peerId")).toList());
      assertEquals("Ann", jb.getJsonArray("peers").getJsonObject(0).getJsonObject("meta").getString("name"));
      JsonObject pj = next(a, "peer-joined");
      assertEquals(idB, pj.getString("peerId"));
      assertEquals("Bob", pj.getJsonObject("meta").getString("name"));

      // SDP and trickled ICE, relayed untouched both ways across instances.
      JsonObject offer = new JsonObject().put("description", new JsonObject().put("type", "offer")
          .put("sdp", "v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\n\u00e9\u4e2d")).put("extra", new JsonArray().add(1).add(2.5));
      a.send(new JsonObject().put("type", "signal").put("room", room).put("to", idB).put("data", offer));
      JsonObject got = next(b, "signal");
      assertEquals(idA, got.getString("from"));
      assertEquals(offer, got.getJsonObject("data"));
      JsonObject candidate = new JsonObject().put("candidate", new JsonObject().put("candidate",
          "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host").put("sdpMid", "0").put("sdpMLineIndex", 0));
      b.send(new JsonObject().put("type", "signal").put("room", room).put("to", idA).put("data", candidate));
      assertEquals(candidate, next(a, "signal").getJsonObject("data"));

      // Room events reach everyone else, on both instances.
      JsonObject jc = join(c, room, new JsonObject().put("name", "Cat"));
      assertEquals(2, jc.getJsonArray("peers").size());
      next(b, "peer-joined");
      a.send(new JsonObject().put("type", "broadcast").put("room", room).put("data", new JsonObject().put("reaction", "👍")));
      assertEquals("👍", next(b, "broadcast").getJsonObject("data").getString("reaction"));
      assertEquals(idA, next(c, "broadcast").getString("from"));

      // Leave, and a clean close, are seen by the others.
      a.send(new JsonObject().put("type", "leave").put("room", room));
      assertEquals(idA, next(b, "peer-left").getString("peerId"));
      assertEquals(idA, next(c, "peer-left").getString("peerId"));
      b.close((short) 1000);
      assertEquals(idB, next(c, "peer-left").getString("peerId"));
    }
  }

  @Test
  void aDroppedPeerResumesWithItsTokenAndNobodySeesItLeave() throws Exception {
    String room = room();
    try (WsClient a = peer(0); WsClient b = peer(1)) {
      JsonObject ja = join(a, room, new JsonObject());
      join(b, room, new JsonObject());
      JsonObject pj = next(a, "peer-joined");
      String idB = pj.getString("peerId");
      a.close((short) 4000); // not a goodbye: a drop
      Thread.sleep(200);
      b.send(new JsonObject().put("type", "signal").put("room", room).put("to", ja.getString("peerId"))
          .put("data", new JsonObject().put("while", "away")));
      try (WsClient again = peer(0)) {
        again.send(new JsonObject().put("type", "join").put("room", room).put("resume", ja.getString("token")));
        JsonObject resumed = next(again, "joined");
        assertEquals(ja.getString("peerId"), resumed.getString("peerId"));
        assertEquals(idB, resumed.getJsonArray("peers").getJsonObject(0).getString("peerId"));
        assertEquals("away", next(again, "signal").getJsonObject("data").getString("while"));
        assertNull(b.poll(300), "b saw something while a was away");

        try (WsClient thief = peer(1)) {
          thief.send(new JsonObject().put("type", "join").put("room", room).put("resume", "not-a-token"));
          assertEquals("BAD_TOKEN", next(thief, "error").getString("code"));
        }
        // Dropped again, and not back within the grace period: now the others see it leave.
        again.close((short) 4000);
        JsonObject left = b.next(m -> "peer-left".equals(m.getString("type")));
        assertEquals(ja.getString("peerId"), left.getString("peerId"));
      }
    }
  }

  @Test
  void limitsAndBadInputGetErrorCodesAndDisturbNobody() throws Exception {
    String room = room();
    try (WsClient a = peer(0); WsClient b = peer(1); WsClient c = peer(0); WsClient d = peer(1); WsClient x = peer(0)) {
      join(a, room, new JsonObject());
      String idB = join(b, room, new JsonObject()).getString("peerId");
      join(c, room, new JsonObject());
      // d's instance counts c once it has heard of c's join (capacity is per instance's view).
      next(b, "peer-joined");
      JsonObject full = join(d, room, new JsonObject());
      assertEquals("ROOM_FULL", full.getString("code"), full.encode());

      x.send("{not json");
      assertEquals("BAD_JSON", next(x, "error").getString("code"));
      x.send(new JsonObject().put("type", "dance").put("room", room));
      assertEquals("UNKNOWN_TYPE", next(x, "error").getString("code"));
      x.send(new JsonObject().put("type", "signal").put("room", room).put("to", idB).put("data", new JsonObject()));
      assertEquals("NOT_IN_ROOM", next(x, "error").getString("code"));
      x.send(new JsonObject().put("type", "join").put("room", 7));
      assertEquals("BAD_MESSAGE", next(x, "error").getString("code"));
      x.send(new JsonObject().put("type", "broadcast").put("room", room).put("data", "x".repeat(5000)));
      assertEquals("TOO_LARGE", next(x, "error").getString("code"));
      a.send(new JsonObject().put("type", "signal").put("room", room).put("to", "nobody").put("data", new JsonObject()));
      assertEquals("PEER_NOT_FOUND", next(a, "error").getString("code"));
      a.send(new JsonObject().put("type", "join").put("room", room));
      assertEquals("ALREADY_JOINED", next(a, "error").getString("code"));

      // A flood from c: most of it refused, b gets a bounded share, a's signal still gets through.
      for (int i = 0; i < 300; i++) {
        c.send(new JsonObject().put("type", "broadcast").put("room", room).put("data", new JsonObject().put("i", i)));
      }
      assertEquals("RATE_LIMITED", next(c, "error").getString("code"));
      a.send(new JsonObject().put("type", "signal").put("room", room).put("to", idB).put("data", new JsonObject().put("ok", 1)));
      int broadcasts = 0;
      while (true) {
        String text = b.poll(1500);
        if (text == null) {
          fail("a's signal did not reach b");
        }
        JsonObject m = new JsonObject(text);
        if ("broadcast".equals(m.getString("type"))) {
          broadcasts++;
        } else if ("signal".equals(m.getString("type"))) {
          assertEquals(1, m.getJsonObject("data").getInteger("ok"));
          break;
        }
      }
      assertTrue(broadcasts <= 60, broadcasts + " of 300 flooded broadcasts reached b");
    }
  }

  @Test
  void turnCredentialsInCoturnsRestForm() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cluster.port(0) + "/v1/turn-credentials?user=alice")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals(List.of(), SchemaCatalog.validate("signaling/turn-credentials.json", JSON.readTree(r.body())));
    JsonObject creds = new JsonObject(r.body());
    String username = creds.getString("username");
    long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
    assertEquals("alice", username.substring(username.indexOf(':') + 1));
    long now = System.currentTimeMillis() / 1000;
    assertTrue(expiry > now + 590 && expiry <= now + 601, username);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    String expected = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, creds.getString("password"));
    assertEquals(600, creds.getLong("ttl"));
    JsonObject turn = creds.getJsonArray("iceServers").getJsonObject(1);
    assertEquals(username, turn.getString("username"));
    assertEquals(expected, turn.getString("credential"));
  }

  @Test
  void peersOfACrashedInstanceLeaveWithinTheTtl() throws Exception {
    String room = room();
    try (WsClient a = peer(0); WsClient b = peer(2)) {
      join(a, room, new JsonObject());
      String idB = join(b, room, new JsonObject()).getString("peerId");
      assertEquals(idB, next(a, "peer-joined").getString("peerId"));
      long crashed = System.currentTimeMillis();
      cluster.crashGateway(2);
      JsonObject left = a.next(m -> "peer-left".equals(m.getString("type")));
      assertEquals(idB, left.getString("peerId"));
      assertTrue(System.currentTimeMillis() - crashed < 5000);
    }
  }

  private static void fail(String message) {
    throw new AssertionError(message);
  }
}
