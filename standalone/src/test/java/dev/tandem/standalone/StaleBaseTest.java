package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An op based on a version older than ot-service's window (here 5 ops) is not refused with
 * ERR_SUBMIT_TRANSFORM_OPS_NOT_FOUND, which makes the sharedb client roll the edit back: the
 * gateway brings it up to date from the log and sends it again, as ShareDB reads old ops from its
 * database. An op resent after it committed is a duplicate, not a second commit; a document
 * deleted and created again since the base refuses the op as ShareDB would.
 */
@Timeout(120)
class StaleBaseTest {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static TestCluster cluster;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = TestCluster.withOtService(1, Map.of("TANDEM_OT_WINDOW", "5"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    cluster.close();
  }

  @Test
  void anOpFarBehindIsRebasedFromTheLog() throws Exception {
    String id = "stale-" + UUID.randomUUID();
    try (WsClient ann = WsClient.shareDb(vertx, cluster.port(0)); WsClient bob = WsClient.shareDb(vertx, cluster.port(0))) {
      submit(ann, id, 0, 1, null, "");
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        String word = (char) ('a' + i) + "";
        assertEquals(1 + i, ackOf(submit(bob, id, 1 + i, 1 + i, insert(i, word), null)));
        text.append(word);
      }
      // Ann, at version 1, inserts at the start and in the middle of what she saw (nothing): both
      // are at 0 for her; the log moves the op past Bob's 20 ops.
      List<JsonObject> seen = new ArrayList<>();
      JsonObject ack = submitAndCollect(ann, id, 1, 2, new JsonArray().add("<"), seen);
      assertFalse(ack.containsKey("error"), ack.encode());
      assertEquals(21, ack.getLong("v"), ack.encode());
      assertEquals("<" + text, data(bob, id));
      // Not subscribed, Ann was sent the ops she had not seen, from her base, before the ack.
      assertEquals(20, seen.size(), seen.toString());
      assertEquals(1, seen.get(0).getLong("v"));

      // The same op sent again (its ack lost) is a duplicate: acknowledged at its version, not applied twice.
      JsonObject again = submitAndCollect(ann, id, 1, 2, new JsonArray().add("<"), new ArrayList<>());
      assertFalse(again.containsKey("error"), again.encode());
      assertEquals(21, again.getLong("v"), again.encode());
      assertEquals("<" + text, data(bob, id));

      // Deleted and created again since the base: refused as ShareDB refuses it.
      assertEquals(22, ackOf(answer(bob, submitMessage(id, 22, 21).put("del", true), new ArrayList<>())));
      assertEquals(23, ackOf(submit(bob, id, 23, 22, null, "again")));
      for (int i = 0; i < 6; i++) {
        submit(bob, id, 24 + i, 23 + i, insert(i, "x"), null);
      }
      JsonObject refused = submitAndCollect(ann, id, 3, 3, new JsonArray().add("!"), new ArrayList<>());
      assertEquals("ERR_DOC_WAS_DELETED", refused.getJsonObject("error").getString("code"), refused.encode());
    }
  }

  /** A text-unicode insert of {@code s} at {@code at} (a retain of 0 is not a valid component). */
  private static JsonArray insert(int at, String s) {
    return at == 0 ? new JsonArray().add(s) : new JsonArray().add(at).add(s);
  }

  private static long ackOf(JsonObject ack) {
    assertFalse(ack.containsKey("error"), ack.encode());
    return ack.getLong("v");
  }

  /** An op (or a create, with {@code created} as its data) from {@code c}; its ack or error. */
  private static JsonObject submit(WsClient c, String id, long v, long seq, JsonArray op, String created) throws Exception {
    JsonObject m = submitMessage(id, v, seq);
    if (created != null) {
      m.put("create", new JsonObject().put("type", TEXT).put("data", created));
    } else {
      m.put("op", op);
    }
    return answer(c, m, new ArrayList<>());
  }

  /** An op from {@code c}; its ack or error, the ops that came before it into {@code ops}. */
  private static JsonObject submitAndCollect(WsClient c, String id, long v, long seq, JsonArray op, List<JsonObject> ops)
      throws Exception {
    return answer(c, submitMessage(id, v, seq).put("op", op), ops);
  }

  private static JsonObject submitMessage(String id, long v, long seq) {
    return new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", v).put("seq", seq);
  }

  /**
   * Sends {@code m} and returns its answer: the ack (no body, its seq) or the error; the ops that
   * come before it, catching up, go to {@code ops}.
   */
  private static JsonObject answer(WsClient c, JsonObject m, List<JsonObject> ops) throws Exception {
    c.send(m);
    long seq = m.getLong("seq");
    while (true) {
      JsonObject r = c.next("op");
      boolean body = r.containsKey("op") || r.containsKey("create") || r.containsKey("del");
      if (r.containsKey("error") || !body && Long.valueOf(seq).equals(r.getLong("seq"))) {
        return r;
      }
      ops.add(r);
    }
  }

  private static String data(WsClient c, String id) throws Exception {
    c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
    return c.next("f").getJsonObject("data").getString("data");
  }
}
