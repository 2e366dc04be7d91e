package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ShareDB wire protocol over real WebSockets, through Kafka and ot-service. */
@Timeout(120)
class ProtocolTest {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static TestCluster cluster;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, 1, 2);
    // A second gateway with tight limits, for the size and flood tests.
    cluster.addGateway(GatewayConfig.fromEnv(Map.of()).withLimits(2000, 20));
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

  private static String doc() {
    return "d-" + UUID.randomUUID();
  }

  private static JsonObject create(String id, long seq, String data) {
    return new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 0).put("seq", seq)
        .put("create", new JsonObject().put("type", TEXT).put("data", data));
  }

  private static JsonObject edit(String id, long v, long seq, JsonArray op) {
    return new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", v).put("seq", seq).put("op", op);
  }

  @Test
  void createsEditsAndFansOutToSubscribersOnAnotherGateway() throws Exception {
    String id = doc();
    try (WsClient alice = connect(0); WsClient bob = connect(1)) {
      bob.send(new JsonObject().put("a", "s").put("c", "notes").put("d", id));
      JsonObject sub = bob.next("s");
      assertEquals(0, sub.getJsonObject("data").getLong("v"));
      assertNull(sub.getJsonObject("data").getString("type"));

      alice.send(create(id, 1, "hello"));
      JsonObject ack = alice.next("op");
      assertEquals(0, ack.getLong("v"));
      assertFalse(ack.containsKey("error"), ack.encode());
      JsonObject seen = bob.next("op");
      assertEquals(TEXT, seen.getJsonObject("create").getString("type"));

      alice.send(edit(id, 1, 2, new JsonArray().add(5).add(" world")));
      assertEquals(1, alice.next("op").getLong("v"));
      JsonObject op = bob.next("op");
      assertEquals(new JsonArray().add(5).add(" world"), op.getJsonArray("op"));
      assertEquals(1, op.getLong("v"));

      alice.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
      JsonObject fetched = alice.next("f");
      assertEquals("hello world", fetched.getJsonObject("data").getString("data"));
      assertEquals(2, fetched.getJsonObject("data").getLong("v"));
    }
  }

  /**
   * A create of a document the gateway does not hold is sent without loading it first: the
   * commit alone makes the gateway's view, a refused create leaves it none, and what follows
   * (edits, fetches, subscribers elsewhere) sees the document as the log has it.
   */
  @Test
  void createsUnseenDocumentsWithoutALoadAndRefusesTheLoserOfARace() throws Exception {
    String id = doc();
    try (WsClient ann = connect(0); WsClient bob = connect(0); WsClient watcher = connect(1)) {
      // Both create at once, neither having fetched: no version, as the sharedb client sends it.
      ann.send(create(id, 1, "ann").putNull("v"));
      bob.send(create(id, 1, "bob").putNull("v"));
      JsonObject a = ann.next("op");
      JsonObject b = bob.next("op");
      boolean annWon = !a.containsKey("error");
      assertTrue(annWon != !b.containsKey("error"), a.encode() + " / " + b.encode());
      JsonObject lost = annWon ? b : a;
      assertEquals("ERR_DOC_ALREADY_CREATED", lost.getJsonObject("error").getString("code"));
      WsClient winner = annWon ? ann : bob;
      winner.send(edit(id, 1, 2, new JsonArray().add(3).add("!")));
      assertEquals(1, winner.next("op").getLong("v"));
      for (WsClient c : new WsClient[] {ann, bob, watcher}) {
        c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
        JsonObject data = c.next("f").getJsonObject("data");
        assertEquals((annWon ? "ann" : "bob") + "!", data.getString("data"));
        assertEquals(2, data.getLong("v"));
      }
    }

    // A document made on the other gateway: a create here is refused, and the document is
    // then served here as the log has it, edits included.
    String other = doc();
    try (WsClient maker = connect(1); WsClient late = connect(0)) {
      maker.send(create(other, 1, "first"));
      maker.next("op");
      late.send(create(other, 1, "second").putNull("v"));
      assertEquals("ERR_DOC_ALREADY_CREATED", error(late));
      maker.send(edit(other, 1, 2, new JsonArray().add(5).add("?")));
      maker.next("op");
      late.send(new JsonObject().put("a", "s").put("c", "notes").put("d", other));
      JsonObject sub = late.next("s").getJsonObject("data");
      assertEquals("first?", sub.getString("data"));
      assertEquals(2, sub.getLong("v"));
      late.send(edit(other, 2, 2, new JsonArray().add("<")));
      assertEquals(2, late.next("op").getLong("v"));
    }

    // Created unseen, then deleted and created again unseen: the version goes on from the delete.
    String again = doc();
    try (WsClient c = connect(0); WsClient d = connect(1)) {
      c.send(create(again, 1, "one").putNull("v"));
      assertEquals(0, c.next("op").getLong("v"));
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", again).put("v", 1).put("seq", 2).put("del", true));
      assertEquals(1, c.next("op").getLong("v"));
      d.send(create(again, 1, "two").putNull("v"));
      assertEquals(2, d.next("op").getLong("v"));
      // Asked where it was created: the other gateway may not have read the commit yet.
      d.send(new JsonObject().put("a", "f").put("c", "notes").put("d", again));
      JsonObject data = d.next("f").getJsonObject("data");
      assertEquals("two", data.getString("data"));
      assertEquals(3, data.getLong("v"));
    }
  }

  @Test
  void transformsAConcurrentEditBasedOnAnOlderVersion() throws Exception {
    String id = doc();
    try (WsClient alice = connect(0); WsClient bob = connect(0)) {
      alice.send(create(id, 1, "ab"));
      alice.next("op");
      alice.send(edit(id, 1, 2, new JsonArray().add(2).add("!")));
      alice.next("op");
      // Bob's op is based on version 1: it is transformed past Alice's and committed at v2.
      // As in ShareDB, Bob (not subscribed) first gets the op he missed, then his ack.
      bob.send(edit(id, 1, 1, new JsonArray().add("<")));
      JsonObject missed = bob.next("op");
      assertEquals(new JsonArray().add(2).add("!"), missed.getJsonArray("op"));
      JsonObject ack = bob.next("op");
      assertFalse(ack.containsKey("op"), ack.encode());
      assertEquals(2, ack.getLong("v"), ack.encode());
      bob.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
      assertEquals("<ab!", bob.next("f").getJsonObject("data").getString("data"));
    }
  }

  @Test
  void acknowledgesAResubmittedOpOnceAndCommitsItOnce() throws Exception {
    String id = doc();
    try (WsClient alice = connect(0)) {
      alice.send(create(id, 1, ""));
      alice.next("op");
      // A resend names the op by the client id the server gave (what a sharedb client resends with).
      JsonObject op = edit(id, 1, 2, new JsonArray().add("x")).put("src", alice.id());
      alice.send(op);
      assertEquals(1, alice.next("op").getLong("v"));
      alice.send(op);
      JsonObject again = alice.next("op");
      assertEquals(1, again.getLong("v"));
      assertFalse(again.containsKey("error"));
      alice.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
      JsonObject fetched = alice.next("f").getJsonObject("data");
      assertEquals("x", fetched.getString("data"));
      assertEquals(2, fetched.getLong("v"));
    }
  }

  @Test
  void answersBadInputWithShareDbErrorsAndKeepsTheConnection() throws Exception {
    String id = doc();
    try (WsClient c = connect(0); WsClient bystander = connect(0)) {
      bystander.send(create(id, 1, "safe"));
      bystander.next("op");

      c.send("{not json");
      assertEquals("ERR_MESSAGE_BADLY_FORMED", c.next(m -> m.containsKey("error")).getJsonObject("error").getString("code"));
      c.send("[1, 2]");
      assertEquals("ERR_MESSAGE_BADLY_FORMED", c.next(m -> m.containsKey("error")).getJsonObject("error").getString("code"));
      c.send(new JsonObject().put("a", "zz"));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(c));
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", 7));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(c));
      c.send(new JsonObject().put("a", "s").put("c", "no/slash").put("d", "x"));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(c));
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id).put("v", -1));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(c));
      c.send(edit(doc(), 0, 1, new JsonArray().add("x")));
      assertEquals("ERR_DOC_DOES_NOT_EXIST", error(c));
      c.send(edit(id, 1, 2, new JsonArray().add(99).add(new JsonObject().put("d", 1))));
      assertEquals("ERR_OT_OP_NOT_APPLIED", error(c));
      c.send(edit(id, 1, 3, new JsonArray().add(-1)));
      assertEquals("ERR_OT_OP_NOT_APPLIED", error(c));
      c.send(edit(id, 9, 4, new JsonArray().add("x")));
      assertEquals("ERR_OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT", error(c));
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", doc()).put("v", 0).put("seq", 5)
          .put("create", new JsonObject().put("type", "http://example.com/no-such-type")));
      assertEquals("ERR_DOC_TYPE_NOT_RECOGNIZED", error(c));
      c.send(create(id, 6, "again"));
      assertEquals("ERR_DOC_ALREADY_CREATED", error(c));
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 1).put("seq", "x").put("op", new JsonArray()));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(c));
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 1).put("seq", 7));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(c));

      // After all that, the same connection still works, and the document is untouched.
      c.send(edit(id, 1, 8, new JsonArray().add(4).add("!")));
      JsonObject ack = c.next("op");
      assertFalse(ack.containsKey("error"), ack.encode());
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
      assertEquals("safe!", c.next("f").getJsonObject("data").getString("data"));
      bystander.send(new JsonObject().put("a", "pp"));
      assertEquals("pp", bystander.next("pp").getString("a"));
    }
  }

  @Test
  void refusesOversizedMessagesAndFloodsWithoutClosingTheConnection() throws Exception {
    String id = doc();
    try (WsClient c = connect(1); WsClient other = connect(1)) {
      c.send(create(id, 1, ""));
      c.next("op");
      c.send(edit(id, 1, 2, new JsonArray().add("x".repeat(5000))));
      JsonObject tooBig = c.next(m -> m.containsKey("error"));
      assertEquals("ERR_MESSAGE_TOO_LARGE", tooBig.getJsonObject("error").getString("code"));
      assertEquals(2, tooBig.getLong("seq"));
      assertFalse(c.isClosed());

      for (int i = 0; i < 200; i++) {
        c.send(new JsonObject().put("a", "pp"));
      }
      int limited = 0;
      int pongs = 0;
      for (int i = 0; i < 200; i++) {
        JsonObject m = c.next(x -> true);
        if (m.containsKey("error")) {
          assertEquals("ERR_RATE_LIMITED", m.getJsonObject("error").getString("code"));
          limited++;
        } else {
          pongs++;
        }
      }
      assertTrue(limited > 0 && pongs > 0, "limited " + limited + ", answered " + pongs);
      // The flood cost the flooder only: another client on the same gateway is served at once.
      other.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
      assertEquals(1, other.next("f").getJsonObject("data").getLong("v"));
      Thread.sleep(1200);
      c.send(new JsonObject().put("a", "pp"));
      assertEquals("pp", c.next(m -> !m.containsKey("error")).getString("a"));
    }
  }

  @Test
  void bulkSubscribeReturnsEverySnapshot() throws Exception {
    String a = doc();
    String b = doc();
    try (WsClient c = connect(0)) {
      c.send(create(a, 1, "A"));
      c.next("op");
      c.send(new JsonObject().put("a", "bs").put("c", "notes").put("b", new JsonArray().add(a).add(b)));
      JsonObject reply = c.next("bs");
      assertEquals("A", reply.getJsonObject("data").getJsonObject(a).getString("data"));
      assertEquals(0, reply.getJsonObject("data").getJsonObject(b).getLong("v"));
      c.send(new JsonObject().put("a", "bu").put("c", "notes").put("b", new JsonArray().add(a).add(b)));
      c.next("bu");
    }
  }

  private static String error(WsClient c) throws InterruptedException {
    return c.next(m -> m.containsKey("error")).getJsonObject("error").getString("code");
  }
}
