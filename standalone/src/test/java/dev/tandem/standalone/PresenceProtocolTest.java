package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ShareDB presence messages over raw WebSockets: transform of stale values, bad input, coalescing. */
@Timeout(120)
class PresenceProtocolTest {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static TestCluster cluster;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(2);
    cluster.addOtService();
    cluster.addPresenceService(Duration.ofSeconds(5));
    GatewayConfig gw = GatewayConfig.fromEnv(Map.of()).withPresence(Duration.ofSeconds(5), Duration.ofMillis(100));
    cluster.addGateway(gw);
    cluster.addGateway(gw);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    cluster.close();
  }

  private static WsClient connect(int gateway) throws Exception {
    return WsClient.shareDb(vertx, cluster.port(gateway));
  }

  /** A text document "hello world" at version 1, and {@code client} subscribed to it and its presence. */
  private static String textDoc(WsClient creator) throws Exception {
    String id = "d-" + UUID.randomUUID();
    creator.send(new JsonObject().put("a", "s").put("c", "notes").put("d", id));
    creator.next("s");
    creator.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 0).put("seq", 1)
        .put("create", new JsonObject().put("type", TEXT).put("data", "hello world")));
    creator.next("op");
    return id;
  }

  private static void join(WsClient client, String id) throws Exception {
    client.send(new JsonObject().put("a", "s").put("c", "notes").put("d", id));
    client.next("s");
    client.send(new JsonObject().put("a", "ps").put("ch", "notes." + id).put("seq", 1));
    JsonObject ps = client.next("ps");
    assertFalse(ps.containsKey("error"), ps.encode());
  }

  private static JsonObject presence(String id, String pid, long pv, Object p, long v) {
    return new JsonObject().put("a", "p").put("ch", "notes." + id).put("id", pid).put("pv", pv).put("p", p)
        .put("c", "notes").put("d", id).put("v", v).put("t", TEXT);
  }

  @Test
  void presenceOfAnOlderVersionIsTransformedBeforeDelivery() throws Exception {
    try (WsClient alice = connect(0); WsClient bob = connect(1); WsClient carol = connect(0)) {
      String id = textDoc(alice);
      join(bob, id);
      join(carol, id);
      // Alice inserts before carol's caret; carol then sends a caret made against version 1.
      alice.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 1).put("seq", 2)
          .put("op", new JsonArray().add("XYZ")));
      alice.next("op");
      carol.next(m -> "op".equals(m.getString("a")) && m.getLong("v") == 1);
      carol.send(presence(id, "carol-1", 0, new JsonObject().put("index", 5).put("length", 2), 1));
      JsonObject ack = carol.next("p");
      assertFalse(ack.containsKey("error"), ack.encode());
      JsonObject seen = bob.next(m -> "p".equals(m.getString("a")) && "carol-1".equals(m.getString("id")));
      assertEquals(2, seen.getLong("v"), seen.encode());
      assertEquals(8, seen.getJsonObject("p").getInteger("index"), seen.encode());
      assertEquals(2, seen.getJsonObject("p").getInteger("length"), seen.encode());
    }
  }

  @Test
  void badPresenceGetsAnErrorAndDisturbsNobody() throws Exception {
    try (WsClient alice = connect(0); WsClient bob = connect(1); WsClient mallory = connect(0)) {
      String id = textDoc(alice);
      join(bob, id);
      String ch = "notes." + id;

      join(mallory, id);
      // Too large.
      mallory.send(presence(id, "m", 1, new JsonObject().put("name", "x".repeat(5000)), 1));
      assertEquals("ERR_MESSAGE_TOO_LARGE", error(mallory));
      // No presence version; a channel that is not the document's; an unknown type.
      mallory.send(presence(id, "m", 2, new JsonObject(), 1).put("pv", "two"));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(mallory));
      mallory.send(presence(id, "m", 3, new JsonObject(), 1).put("ch", "notes.other"));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(mallory));
      mallory.send(presence(id, "m", 4, new JsonObject(), 1).put("t", "no-such-type"));
      assertEquals("ERR_TYPE_DOES_NOT_SUPPORT_PRESENCE", error(mallory));
      mallory.send(new JsonObject().put("a", "ps").put("ch", 42).put("seq", 9));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(mallory));

      // The connection still works, and bob saw none of the bad ones.
      mallory.send(presence(id, "m", 5, new JsonObject().put("index", 3).put("length", 0), 1));
      JsonObject ack = mallory.next("p");
      assertFalse(ack.containsKey("error"), ack.encode());
      JsonObject seen = bob.next("p");
      assertEquals(5, seen.getLong("pv"), seen.encode());
      assertEquals(3, seen.getJsonObject("p").getInteger("index"));
      assertTrue(ch.equals(seen.getString("ch")));

      // At most 16 presences per connection; updating one it has is always fine.
      for (int i = 1; i < 16; i++) {
        mallory.send(presence(id, "m" + i, 0, new JsonObject().put("index", i), 1));
        assertFalse(mallory.next("p").containsKey("error"));
      }
      mallory.send(presence(id, "m16", 0, new JsonObject().put("index", 1), 1));
      assertEquals("ERR_MESSAGE_TOO_LARGE", error(mallory));
      mallory.send(presence(id, "m3", 1, new JsonObject().put("index", 4), 1));
      JsonObject again = mallory.next("p");
      assertFalse(again.containsKey("error"), again.encode());
    }
  }

  @Test
  void aFloodOfCaretMovesIsCoalescedAndTheLastValueWins() throws Exception {
    try (WsClient alice = connect(0); WsClient bob = connect(1)) {
      String id = textDoc(alice);
      join(bob, id);
      join(alice, id);
      for (int i = 0; i < 60; i++) {
        alice.send(presence(id, "a", i, new JsonObject().put("index", i % 11).put("length", 0).put("n", i), 1));
      }
      int delivered = 0;
      int last = -1;
      while (last != 59) {
        JsonObject seen = bob.next(m -> "p".equals(m.getString("a")) && "a".equals(m.getString("id")));
        delivered++;
        last = seen.getJsonObject("p").getInteger("n");
      }
      // 60 moves sent at once, an interval of 100 ms: a handful reach bob, the last one among them.
      assertTrue(delivered <= 10, delivered + " of 60 updates delivered");
      assertEquals(null, bob.poll(300));
    }
  }

  private static String error(WsClient c) throws InterruptedException {
    JsonObject m = c.next(x -> x.containsKey("error"));
    return m.getJsonObject("error").getString("code");
  }
}
