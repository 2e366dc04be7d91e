package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.schemas.ShareDbErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile documents and ops: a json0 document built too deep, {@code na} to Infinity, deletes
 * of nothing, a spoofed {@code src}, dangerous json0 paths, malformed ops, lone surrogates;
 * and, last (they may wedge a server that lacks the fixes), the deep document, the overflowing
 * number and a restart of the server on its data with those documents in the log.
 */
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileDocsTest extends HostileCase {

  private static final int DEEP = 505;
  private static String deepDoc;
  private static String bigNumberDoc;

  /** {@code {"k":{"k":...{}}}}, {@code levels} objects deep. */
  private static String nested(int levels) {
    return "{\"k\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
  }

  @Test
  @Order(Order.DEFAULT + 2)
  void aJson0DocumentBuiltTooDeepByTwoValidOpsIsRefusedAndWedgesNothing() throws Exception {
    deepDoc = newId();
    try (WsClient mallory = connect()) {
      acked(mallory, create("deep", deepDoc, JSON0, new JsonObject(), 1));
      // Each op is under Jackson's 1,000-level read limit; together they build ~1,010 levels.
      String op1 = "{\"a\":\"op\",\"c\":\"deep\",\"d\":\"" + deepDoc + "\",\"v\":1,\"seq\":2,\"op\":[{\"p\":[\"a\"],\"oi\":"
          + nested(DEEP) + "}]}";
      mallory.send(op1);
      JsonObject first = answer(mallory, deepDoc, 2);
      long version = 1;
      if (first.containsKey("error")) {
        assertEquals(HostileCodes.DEEP_DOCUMENT, HostileCodes.codeOf(first));
      } else {
        version = 2;
        JsonArray p = new JsonArray().add("a");
        for (int i = 0; i < DEEP; i++) {
          p.add("k");
        }
        String op2 = "{\"a\":\"op\",\"c\":\"deep\",\"d\":\"" + deepDoc + "\",\"v\":2,\"seq\":3,\"op\":[{\"p\":" + p.encode()
            + ",\"oi\":" + nested(DEEP) + "}]}";
        mallory.send(op2);
        assertEquals(HostileCodes.DEEP_DOCUMENT, HostileCodes.codeOf(answer(mallory, deepDoc, 3)));
      }
      assertEquals(version, snapshot(mallory, "deep", deepDoc).getLong("v"));
      // A snapshot flush (every second here) is where a too-deep document wedged every partition.
      Thread.sleep(2500);
      survived("after a document built ~1,010 levels deep", mallory);
    }
  }

  @Test
  @Order(Order.DEFAULT + 1)
  void numberAddOverflowingToInfinityIsRefused() throws Exception {
    bigNumberDoc = newId();
    try (WsClient c = connect()) {
      acked(c, create("nums", bigNumberDoc, JSON0, new JsonObject().put("n", 1.5e308), 1));
      assertEquals(HostileCodes.NUMBER_OVERFLOW, refused(c, op("nums", bigNumberDoc, 1, 2,
          new JsonArray().add(new JsonObject().put("p", path("n")).put("na", 1.5e308)))));
      JsonObject snap = snapshot(c, "nums", bigNumberDoc);
      assertEquals(1, snap.getLong("v"));
      assertEquals(1.5e308, snap.getJsonObject("data").getDouble("n"));
      acked(c, op("nums", bigNumberDoc, 1, 3, new JsonArray().add(new JsonObject().put("p", path("n")).put("na", -1))));
      survived("after na to Infinity", c);
    }
  }

  @Test
  void deletingAMissingOrDeletedDocumentIsRefusedAndOfTwoConcurrentDeletesOneCommits() throws Exception {
    try (WsClient a = connect(); WsClient b = connect()) {
      String missing = newId();
      assertEquals(HostileCodes.DELETE_MISSING, refused(a, del("notes", missing, 0, 1)));
      String once = newId();
      acked(a, create("notes", once, TEXT, "x", 2));
      acked(a, del("notes", once, 1, 3));
      assertEquals(HostileCodes.DELETE_MISSING, refused(a, del("notes", once, 2, 4)));
      assertEquals(2, snapshot(a, "notes", once).getLong("v"));

      String twice = newId();
      acked(a, create("notes", twice, TEXT, "y", 5));
      a.send(del("notes", twice, 1, 6));
      b.send(del("notes", twice, 1, 1));
      JsonObject fromA = answer(a, twice, 6);
      JsonObject fromB = answer(b, twice, 1);
      int committed = (fromA.containsKey("error") ? 0 : 1) + (fromB.containsKey("error") ? 0 : 1);
      assertEquals(1, committed, "of two concurrent deletes exactly one commits: " + fromA.encode() + " / " + fromB.encode());
      JsonObject loser = fromA.containsKey("error") ? fromA : fromB;
      assertTrue(HostileCodes.DELETE_LOSER.contains(HostileCodes.codeOf(loser)), loser.encode());
      assertEquals(2, snapshot(b, "notes", twice).getLong("v"));
      long dels = server.committed("notes", twice).stream().filter(o -> "del".equals(o.getString("kind"))).count();
      assertEquals(1, dels, "deletes in the log");
      survived("after deletes of nothing", a);
    }
  }

  @Test
  void anOpNamingAnotherConnectionsSrcNeverDropsThatConnectionsOps() throws Exception {
    String id = newId();
    try (WsClient victim = new WsClient(vertx, server.port()); WsClient viaOp = connect()) {
      victim.next("init");
      victim.send(new JsonObject().put("a", "hs").put("protocol", 1).put("protocolMinor", 2).putNull("id"));
      victim.next("hs");
      // The attacker learns the victim's src the way anyone can: from the op fan-out.
      viaOp.send(new JsonObject().put("a", "s").put("c", "notes").put("d", id));
      viaOp.next("s");
      acked(victim, create("notes", id, TEXT, "hello", 1));
      String victimSrc = viaOp.next(m -> "op".equals(m.getString("a")) && m.containsKey("create")).getString("src");
      List<String> forged = List.of(victimSrc, victimSrc + ".AAAAAAAAAAAAAAAAAAAAAA", victimSrc + ".");

      // One attacker names the victim's src in its op (as seen, and with made-up proofs), another
      // claims it in the handshake.
      List<JsonObject> spoofs = new java.util.ArrayList<>();
      for (int i = 0; i < forged.size(); i++) {
        viaOp.send(op("notes", id, 1, 2 + i, new JsonArray().add(5).add(" mmm")).put("src", forged.get(i)));
        spoofs.add(answer(viaOp, id, 2 + i));
      }
      try (WsClient viaHandshake = new WsClient(vertx, server.port())) {
        viaHandshake.next("init");
        viaHandshake.send(new JsonObject().put("a", "hs").put("protocol", 1).put("protocolMinor", 2).put("id", victimSrc));
        viaHandshake.next(m -> "hs".equals(m.getString("a")) || m.containsKey("error"));
        viaHandshake.send(op("notes", id, 1, 3, new JsonArray().add(5).add(" zzz")));
        spoofs.add(answer(viaHandshake, id, 3));
        for (JsonObject s : spoofs) {
          if (s.containsKey("error")) {
            assertEquals(HostileCodes.SPOOFED_SRC_IF_REFUSED, HostileCodes.codeOf(s));
          }
        }

        // The victim's own ops, seq 2 and 3, must both commit.
        victim.send(op("notes", id, 1, 2, new JsonArray().add(5).add(" world")));
        JsonObject ack2 = answer(victim, id, 2);
        assertFalse(ack2.containsKey("error"), ack2.encode());
        JsonObject ack3 = acked(victim, op("notes", id, ack2.getLong("v") + 1, 3, new JsonArray().add("!")));
        String text = snapshot(victim, "notes", id).getString("data");
        assertTrue(text.startsWith("!") && text.contains(" world"), "the victim's ops were dropped: " + text);
        assertTrue(ack3.getLong("v") > ack2.getLong("v"));
        for (JsonObject committed : server.committed("notes", id)) {
          if (victimSrc.equals(committed.getString("src"))) {
            String op = String.valueOf(committed.getValue("op"));
            assertFalse(op.contains("mmm") || op.contains("zzz"), "an attacker's op was committed as the victim's: "
                + committed.encode());
          }
        }
        survived("after a spoofed src", viaOp);
      }
    }
  }

  @Test
  void json0PathsThroughPrototypePropertiesAreRefused() throws Exception {
    String id = newId();
    try (WsClient c = connect()) {
      acked(c, create("boards", id, JSON0, new JsonObject().put("x", new JsonObject()), 1));
      long seq = 2;
      for (String segment : List.of("__proto__", "constructor", "toString", "hasOwnProperty", "__defineGetter__")) {
        assertEquals(HostileCodes.DANGEROUS_PATH, refused(c, op("boards", id, 1, seq++,
            new JsonArray().add(new JsonObject().put("p", path(segment)).put("oi", 1)))), segment);
        assertEquals(HostileCodes.DANGEROUS_PATH, refused(c, op("boards", id, 1, seq++,
            new JsonArray().add(new JsonObject().put("p", path("x", segment, "polluted")).put("oi", 1)))), segment);
      }
      JsonObject snap = snapshot(c, "boards", id);
      assertEquals(1, snap.getLong("v"));
      assertEquals(new JsonObject().put("x", new JsonObject()), snap.getJsonObject("data"));
      survived("after dangerous paths", c);
    }
  }

  @Test
  void malformedOpsAreBadlyFormedAndStringListIndexesAreAccepted() throws Exception {
    String id = newId();
    String list = newId();
    try (WsClient c = connect()) {
      acked(c, create("boards", id, JSON0, new JsonObject().put("n", 1), 1));
      assertEquals(HostileCodes.MALFORMED_OP, refused(c, op("boards", id, 1, 2, new JsonArray().addNull())));
      assertEquals(HostileCodes.MALFORMED_OP, refused(c, op("boards", id, 1, 3, new JsonObject().put("p", path("n")))));
      assertEquals(HostileCodes.MALFORMED_OP, refused(c, op("boards", id, 1, 4, "na")));
      // ot-json0 1.1.0 indexes a list with a string: ShareDB commits this.
      acked(c, create("boards", list, JSON0, new JsonArray().add(new JsonObject().put("title", "a")), 5));
      acked(c, op("boards", list, 1, 6, new JsonArray().add(new JsonObject().put("p", path("0", "title")).put("od", "a")
          .put("oi", "b"))));
      assertEquals("b", snapshot(c, "boards", list).getJsonArray("data").getJsonObject(0).getString("title"));
      survived("after malformed ops", c);
    }
  }

  @Test
  void loneSurrogatesInCollectionOrIdAreRefusedAtOnce() throws Exception {
    try (WsClient c = connect()) {
      List<String> requests = List.of(
          "{\"a\":\"f\",\"c\":\"notes\",\"d\":\"x\\ud800\"}",
          "{\"a\":\"s\",\"c\":\"no\\udc00tes\",\"d\":\"x\"}",
          "{\"a\":\"op\",\"c\":\"notes\",\"d\":\"y\\ud83d\",\"v\":0,\"seq\":1,\"create\":{\"type\":\"" + TEXT
              + "\",\"data\":\"\"}}",
          "{\"a\":\"bs\",\"c\":\"notes\",\"b\":[\"ok\",\"z\\udfff\"]}",
          "{\"a\":\"nf\",\"c\":\"notes\",\"d\":\"\\ud800\\ud800\",\"v\":0}");
      for (String r : requests) {
        long t0 = System.currentTimeMillis();
        c.send(r);
        JsonObject reply = c.next(m -> true);
        long took = System.currentTimeMillis() - t0;
        assertTrue(reply.containsKey("error"), r + " -> " + reply.encode());
        assertEquals(HostileCodes.LONE_SURROGATE, HostileCodes.codeOf(reply), r);
        assertTrue(took < HostileCodes.PROMPT.toMillis(), r + " answered after " + took + " ms");
      }
      survived("after lone surrogates", c);
    }
  }

  @Test
  void bulkUnsubscribeRepliesCarryTheirIds() throws Exception {
    String a = newId();
    String b = newId();
    try (WsClient c = connect()) {
      JsonArray ids = new JsonArray().add(a).add(b);
      c.send(new JsonObject().put("a", "bs").put("c", "notes").put("b", ids));
      c.next("bs");
      c.send(new JsonObject().put("a", "bu").put("c", "notes").put("b", ids));
      JsonObject reply = c.next("bu");
      assertFalse(reply.containsKey("error"), reply.encode());
      assertEquals(ids, reply.getJsonArray("b"), "ShareDB's bu reply carries b: " + reply.encode());
    }
    // The real sharedb client: unsubscribe callbacks inside startBulk/endBulk fire.
    NodeScript.Result r = NodeScript.start("standalone/src/test/node/bulk-unsubscribe.js", java.util.Map.of(),
        "ws://127.0.0.1:" + server.port() + "/v1/docs").await(seconds(30));
    assertEquals(0, r.exit(), r.output());
    survived("after bulk unsubscribe", null);
  }

  @Test
  void errorTextsNameTheClientsMistakeNotInternals() throws Exception {
    try (WsClient c = connect()) {
      // Past Jackson's nesting limit: the text must not name its options.
      c.send("[".repeat(1500) + "]".repeat(1500));
      assertEquals(HostileCodes.DEEP_MESSAGE, HostileCodes.codeOf(c.next(m -> m.containsKey("error"))));
      c.send("{\"a\":\"f\",\"c\":\"notes\",\"d\":" + "[".repeat(1200) + "]".repeat(1200) + "}");
      assertEquals(HostileCodes.DEEP_MESSAGE, HostileCodes.codeOf(c.next(m -> m.containsKey("error"))));
      c.send("{\"a\":\"op\",\"c\":\"notes\",\"d\":\"x\",\"v\":1e999,\"seq\":1,\"op\":[]}");
      HostileCodes.codeOf(c.next(m -> m.containsKey("error")));
      c.send("{\"a\":\"op\",\"c\":\"notes\",\"d\":\"x\",\"v\":0,\"seq\":1,\"op\":[1],\"op\":[2]}");
      c.next(m -> true);
      c.send("{\"a\":\"f\",\"c\":\"notes\",\"d\":\"x\",\"v\":\"0\"}");
      HostileCodes.codeOf(c.next(m -> m.containsKey("error")));
      survived("after garbage", c);
    }
  }

  @Test
  @Order(Order.DEFAULT + 3)
  void theServerRestartsOnItsDataWithTheRefusedDocumentsInTheLog() throws Exception {
    if (deepDoc == null || bigNumberDoc == null) {
      aJson0DocumentBuiltTooDeepByTwoValidOpsIsRefusedAndWedgesNothing();
      numberAddOverflowingToInfinityIsRefused();
    }
    restartServer();
    canary.checkpoint();
    canary.assertKeptEditing("after the restart");
    try (WsClient c = connect()) {
      // Loading the documents after the restart: this is where a too-deep one aborted every transaction.
      snapshot(c, "deep", deepDoc);
      JsonObject nums = snapshot(c, "nums", bigNumberDoc);
      long v = nums.getLong("v");
      acked(c, op("nums", bigNumberDoc, v, 1, new JsonArray().add(new JsonObject().put("p", path("n")).put("na", 1))));
      JsonObject after = snapshot(c, "nums", bigNumberDoc);
      assertTrue(Double.isFinite(after.getJsonObject("data").getDouble("n")), after.encode());
      Thread.sleep(2500);
      survived("after loading the refused documents after a restart", c);
    }
  }
}
