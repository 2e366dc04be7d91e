package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.access.AccessConfig;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.SchemaCatalog;
import dev.tandem.signal.SignalingConfig;
import dev.tandem.signal.sfu.SfuConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may use the SFU, with a real Janus behind media-signaling and jwt tokens: a participant
 * without the room's join grant can neither publish nor subscribe; a subscriber cannot reach
 * another room's feeds; SFU messages in a mesh room and malformed ones are refused with a code;
 * every message the server sends matches its schema in schemas/signaling.
 */
@Timeout(120)
class SfuAccessTest {

  private static final String SECRET = "an-sfu-access-test-secret-of-32-bytes";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonObject valid(JsonObject m) throws Exception {
    String type = m.getString("type");
    assertEquals(List.of(), SchemaCatalog.validate("signaling/" + type + ".json", JSON.readTree(m.encode())), m.encode());
    return m;
  }

  private static JsonObject answer(WsClient c) throws Exception {
    return valid(c.next(m -> List.of("joined", "error").contains(m.getString("type"))));
  }

  @Test
  void onlyTheRoomsParticipantsReachItsFeeds() throws Exception {
    Vertx vertx = Vertx.vertx();
    String api = "api-" + UUID.randomUUID();
    String admin = "admin-" + UUID.randomUUID();
    AccessConfig access = AccessConfig.fromEnv(Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_SECRET", SECRET,
        "TANDEM_JWT_ISSUER", AccessTest.ISSUER), "127.0.0.1");
    TestTokens tokens = TestTokens.hs256(vertx, SECRET);
    try (JanusProcess janus = JanusProcess.start(api, admin, "43000-43099");
        TestCluster cluster = new TestCluster(2)) {
      cluster.addGateway(GatewayConfig.fromEnv(Map.of()), SignalingConfig.fromEnv(Map.of()), access,
          SfuConfig.fromEnv(Map.of("TANDEM_JANUS_URLS", janus.url(), "TANDEM_JANUS_API_SECRET", api,
              "TANDEM_JANUS_ADMIN_KEY", admin)));
      String team = "call:team-" + UUID.randomUUID();
      String other = "call:other-" + UUID.randomUUID();
      String mesh = "call:team-mesh-" + UUID.randomUUID();
      String annToken = tokens.sign(TestTokens.claims("ann", new JsonObject().put("rooms",
          new JsonObject().put("call:team-*", "join")), 600));
      String eveToken = tokens.sign(TestTokens.claims("eve", new JsonObject().put("rooms",
          new JsonObject().put("call:other-*", "join")), 600));
      WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(cluster.port(0))
          .setURI("/v1/signal");
      try (WsClient ann = new WsClient(vertx, new WebSocketConnectOptions(o).addSubProtocol("tandem.v1")
              .addSubProtocol("tandem.bearer." + annToken));
          WsClient eve = new WsClient(vertx, new WebSocketConnectOptions(o).addSubProtocol("tandem.v1")
              .addSubProtocol("tandem.bearer." + eveToken))) {
        ann.send(new JsonObject().put("type", "join").put("room", team).put("meta", new JsonObject().put("sfu", true)));
        JsonObject joined = answer(ann);
        assertEquals("sfu", joined.getString("mode"), joined.encode());
        String annPeer = joined.getString("peerId");

        JsonObject offer = new JsonObject().put("type", "offer").put("sdp", "v=0\r\n");
        eve.send(new JsonObject().put("type", "join").put("room", team));
        assertEquals("FORBIDDEN", answer(eve).getString("code"));
        eve.send(new JsonObject().put("type", "publish").put("room", team).put("offer", offer));
        assertEquals("NOT_IN_ROOM", answer(eve).getString("code"));
        eve.send(new JsonObject().put("type", "subscribe").put("room", team).put("feeds", new JsonArray().add(annPeer)));
        assertEquals("NOT_IN_ROOM", answer(eve).getString("code"));

        eve.send(new JsonObject().put("type", "join").put("room", other).put("meta", new JsonObject().put("sfu", true)));
        assertEquals("sfu", answer(eve).getString("mode"));
        eve.send(new JsonObject().put("type", "subscribe").put("room", other).put("feeds", new JsonArray().add(annPeer)));
        JsonObject refused = answer(eve);
        assertEquals("FEED_NOT_FOUND", refused.getString("code"), "another room's feed: " + refused.encode());
        for (String m = eve.poll(1_000); m != null; m = eve.poll(300)) {
          assertFalse(m.contains("\"subscription\""), "nothing was subscribed: " + m);
        }

        // A mesh room takes no SFU messages; malformed ones are refused.
        ann.send(new JsonObject().put("type", "join").put("room", mesh));
        assertEquals("mesh", answer(ann).getString("mode"));
        ann.send(new JsonObject().put("type", "publish").put("room", mesh).put("offer", offer));
        assertEquals("NOT_SFU", answer(ann).getString("code"));
        for (JsonObject bad : List.of(
            new JsonObject().put("type", "publish").put("room", team),
            new JsonObject().put("type", "publish").put("room", team).put("offer", new JsonObject().put("type", "answer")),
            new JsonObject().put("type", "subscribe").put("room", team).put("feeds", "everyone"),
            new JsonObject().put("type", "subscribe").put("room", team).put("feeds", new JsonArray()).put("substream", 7),
            new JsonObject().put("type", "candidate").put("room", team).put("pc", "both").put("candidate", new JsonObject()),
            new JsonObject().put("type", "answer").put("room", team).put("answer", "sdp"))) {
          ann.send(bad);
          assertEquals("BAD_MESSAGE", answer(ann).getString("code"), bad.encode());
        }
        ann.send(new JsonObject().put("type", "answer").put("room", team).put("answer",
            new JsonObject().put("type", "answer").put("sdp", "v=0\r\n")));
        assertEquals("NOT_SUBSCRIBED", answer(ann).getString("code"));
      }
    } finally {
      vertx.close();
    }
  }
}
