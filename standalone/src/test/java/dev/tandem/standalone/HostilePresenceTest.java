package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile and ShareDB-compatible presence: a value nested 998 levels deep must not end
 * presence-service; dangerous channel names are refused; what ShareDB relays is relayed.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostilePresenceTest extends HostileCase {

  private static JsonObject subscribe(String ch, long seq) {
    return new JsonObject().put("a", "ps").put("ch", ch).put("seq", seq);
  }

  private static JsonObject presence(String ch, String id, long pv, Object value) {
    return new JsonObject().put("a", "p").put("ch", ch).put("id", id).put("pv", pv).put("p", value);
  }

  private static void joined(WsClient c, String ch) throws InterruptedException {
    c.send(subscribe(ch, HostileCodes.seq()));
    JsonObject reply = c.next("ps");
    assertFalse(reply.containsKey("error"), reply.encode());
  }

  private static JsonObject presenceOf(WsClient c, String id) throws InterruptedException {
    return c.next(m -> "p".equals(m.getString("a")) && id.equals(m.getString("id")) && !m.containsKey("error"));
  }

  /** Presence still flows between two other clients on a fresh channel. */
  private static void presenceStillDelivered() throws Exception {
    String ch = "room-" + newId();
    try (WsClient carol = connect(); WsClient dave = connect()) {
      joined(dave, ch);
      carol.send(presence(ch, "carol", 0, new JsonObject().put("x", 1)));
      assertFalse(carol.next("p").containsKey("error"));
      assertEquals(1, presenceOf(dave, "carol").getJsonObject("p").getInteger("x"));
    }
  }

  @Test
  @Order(1)
  void presenceChannelsNamedForPrototypePropertiesAreRefused() throws Exception {
    try (WsClient c = connect()) {
      for (String ch : new String[] {"__proto__", "constructor", "hasOwnProperty"}) {
        assertEquals(HostileCodes.DANGEROUS_CHANNEL, refused(c, subscribe(ch, HostileCodes.seq())), ch);
        assertEquals(HostileCodes.DANGEROUS_CHANNEL, refused(c, presence(ch, "m", 0, new JsonObject())), ch);
      }
      survived("after dangerous channels", c);
    }
  }

  @Test
  @Order(2)
  void presenceWithACollectionAndNoDocumentIsRelayedAsShareDbDoes() throws Exception {
    String ch = "room-" + newId();
    try (WsClient alice = connect(); WsClient bob = connect()) {
      joined(bob, ch);
      alice.send(presence(ch, "alice", 0, new JsonObject().put("x", 2)).put("c", "notes").putNull("d"));
      JsonObject ack = alice.next("p");
      assertFalse(ack.containsKey("error"), ack.encode());
      assertEquals(2, presenceOf(bob, "alice").getJsonObject("p").getInteger("x"));
      survived("after presence with d: null", alice);
    }
  }

  @Test
  @Order(3)
  void presenceForADocumentNotSubscribedIsAcceptedAsShareDbDoes() throws Exception {
    String id = newId();
    String ch = "notes." + id;
    try (WsClient alice = connect(); WsClient bob = connect(); WsClient carol = connect()) {
      acked(alice, create("notes", id, TEXT, "hello", 1));
      bob.send(new JsonObject().put("a", "s").put("c", "notes").put("d", id));
      bob.next("s");
      joined(bob, ch);
      carol.send(presence(ch, "carol", 0, new JsonObject().put("index", 1).put("length", 0)).put("c", "notes")
          .put("d", id).put("v", 1).put("t", TEXT));
      JsonObject ack = carol.next("p");
      assertFalse(ack.containsKey("error"), ack.encode());
      assertEquals(1, presenceOf(bob, "carol").getJsonObject("p").getInteger("index"));
      survived("after presence for a document not subscribed", carol);
    }
  }

  @Test
  @Order(4)
  void aPresenceValue998LevelsDeepDoesNotEndPresenceService() throws Exception {
    String ch = "room-" + newId();
    // ~2 KB, 998 levels: with the message around it, just under Jackson's 1,000-level limit.
    String deep = "[".repeat(998) + "]".repeat(998);
    try (WsClient mallory = connect(); WsClient bob = connect()) {
      mallory.send("{\"a\":\"p\",\"ch\":\"" + ch + "\",\"id\":\"m\",\"pv\":0,\"p\":" + deep + "}");
      JsonObject answer = mallory.next("p");
      if (answer.containsKey("error")) {
        assertEquals(HostileCodes.DEEP_PRESENCE_IF_REFUSED, HostileCodes.codeOf(answer));
      }
      // A subscriber makes the gateway ask presence-service for the channel's state.
      joined(bob, ch);
      mallory.send(subscribe(ch, HostileCodes.seq()));
      mallory.next("ps");
      Thread.sleep(1500);
      server.assertHealthy(Duration.ofSeconds(3));
      presenceStillDelivered();
      survived("after a presence value 998 levels deep", mallory);
    }
  }
}
