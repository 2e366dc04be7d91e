package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.EdgeLimits;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.CommittedOp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile clients at the document edge, against a real server and broker: forged {@code src},
 * document caps with one huge {@code bs}, a client that never reads, ShareDB's bulk and presence
 * rules. Each asserts the error code and that others keep working.
 */
@Timeout(120)
class EdgeHardeningTest {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TestCluster cluster;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(2);
    cluster.addOtService();
    cluster.addGateway(GatewayConfig.fromEnv(Map.of()));
    // Tight limits: 50 documents per connection, 120 per server, 60 presence channels per
    // connection, 100 per server, 1 MiB outbound (pongs within the
    // default 15 s, so the budget, not liveness, closes a client that does not read)...
    cluster.addGateway(GatewayConfig.fromEnv(Map.of())
        .withEdgeLimits(EdgeLimits.defaults().withDocs(50, 120).withPresenceChannels(60, 100).withOutboundBudget(1 << 20)));
    // ...and pongs within 2 s, with the default 8 MiB budget that a ping-pong client never reaches.
    cluster.addGateway(GatewayConfig.fromEnv(Map.of()).withPresence(Duration.ofSeconds(2), Duration.ofMillis(40)));
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

  private static JsonObject subscribe(String id) {
    return new JsonObject().put("a", "s").put("c", "notes").put("d", id);
  }

  private static String error(WsClient c) throws InterruptedException {
    return c.next(m -> m.containsKey("error")).getJsonObject("error").getString("code");
  }

  private static String contentOf(WsClient c, String id) throws InterruptedException {
    c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
    return c.next(m -> "f".equals(m.getString("a")) && id.equals(m.getString("d"))).getJsonObject("data").getString("data");
  }

  @Test
  void aConnectionCannotSubmitUnderAnotherConnectionsSrcAndTheVictimsOpCommits() throws Exception {
    String id = doc();
    try (WsClient victim = connect(0); WsClient mallory = connect(1)) {
      mallory.send(subscribe(id));
      mallory.next("s");
      victim.send(create(id, 1, "hello"));
      assertFalse(victim.next("op").containsKey("error"));
      JsonObject seen = mallory.next(m -> "op".equals(m.getString("a")) && m.containsKey("create"));
      String alias = seen.getString("src");
      // Others see the alias only: never the id that proves the identity.
      assertNotEquals(victim.id(), alias);
      assertTrue(victim.id().startsWith(alias + "."));

      for (String forged : List.of(alias, alias + ".AAAAAAAAAAAAAAAAAAAAAA", "victim-device", mallory.id() + "x")) {
        mallory.send(edit(id, 1, 2, new JsonArray().add(5).add(" mmm")).put("src", forged));
        assertEquals("ERR_OT_OP_BADLY_FORMED", error(mallory), forged);
      }
      victim.send(edit(id, 1, 2, new JsonArray().add(5).add(" world")));
      JsonObject ack = victim.next("op");
      assertFalse(ack.containsKey("error"), ack.encode());
      assertEquals(1, ack.getLong("v"));
      assertEquals(victim.id(), ack.getString("src"));
      assertEquals("hello world", contentOf(victim, id));
    }
    List<CommittedOp> log = cluster.eventLog().get("notes/" + id);
    assertEquals(2, log.size());
    assertTrue(log.stream().allMatch(op -> !op.src().contains(".")), "the log carries aliases only");
  }

  @Test
  void aReconnectingClientKeepsItsIdAndItsResentOpIsAcknowledgedOnce() throws Exception {
    String id = doc();
    String secret;
    JsonObject op;
    try (WsClient alice = connect(0)) {
      secret = alice.id();
      alice.send(create(id, 1, ""));
      alice.next("op");
      op = edit(id, 1, 2, new JsonArray().add("x"));
      alice.send(op);
      assertEquals(1, alice.next("op").getLong("v"));
    }
    // Another gateway sharing the key, as a sharedb client's reconnect would send it.
    try (WsClient again = WsClient.reconnect(vertx, cluster.port(1), secret)) {
      assertEquals(secret, again.id());
      again.send(op.copy().put("src", secret));
      JsonObject ack = again.next("op");
      assertFalse(ack.containsKey("error"), ack.encode());
      assertEquals(1, ack.getLong("v"));
      assertEquals(secret, ack.getString("src"));
    }
    // Catching up where the ops are kept, its own ops come back under its id, as the sharedb
    // client recognises them.
    try (WsClient again = WsClient.reconnect(vertx, cluster.port(0), secret)) {
      again.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id).put("v", 0));
      JsonObject first = again.next(m -> "op".equals(m.getString("a")) && m.containsKey("create"));
      assertEquals(secret, first.getString("src"));
      JsonObject second = again.next("op");
      assertEquals(secret, second.getString("src"));
      assertEquals(new JsonArray().add("x"), second.getJsonArray("op"));
      assertFalse(again.next("f").containsKey("data"), "ops since a version, then a reply without data");
      assertEquals("x", contentOf(again, id));
    }
    try (WsClient stranger = WsClient.reconnect(vertx, cluster.port(0), "someone-elses-id")) {
      assertNotEquals("someone-elses-id", stranger.id());
      stranger.send(op.copy().put("src", "someone-elses-id"));
      assertEquals("ERR_OT_OP_BADLY_FORMED", error(stranger));
    }
    assertEquals(2, cluster.eventLog().get("notes/" + id).size());
  }

  @Test
  void aBulkUnsubscribeReplyCarriesItsIds() throws Exception {
    try (WsClient c = connect(0)) {
      JsonArray ids = new JsonArray().add(doc()).add(doc());
      c.send(new JsonObject().put("a", "bs").put("c", "notes").put("b", ids));
      JsonObject bs = c.next("bs");
      assertEquals(2, bs.getJsonObject("data").size(), bs.encode());
      c.send(new JsonObject().put("a", "bu").put("c", "notes").put("b", ids));
      JsonObject bu = c.next("bu");
      assertEquals(ids, bu.getJsonArray("b"), bu.encode());
      assertEquals("notes", bu.getString("c"));
    }
  }

  @Test
  void oneHugeBulkSubscribeIsRefusedWholeAndTheServerCapEvictsUnsubscribedDocumentsFirst() throws Exception {
    try (WsClient greedy = connect(1); WsClient b = connect(1); WsClient c = connect(1)) {
      long before = metric(1, "tandem_gateway_open_documents");
      JsonArray many = new JsonArray();
      for (int i = 0; i < 40_000; i++) {
        many.add("many-" + i);
      }
      greedy.send(new JsonObject().put("a", "bs").put("c", "notes").put("b", many));
      JsonObject refused = greedy.next("bs");
      assertEquals("ERR_TOO_MANY_DOCUMENTS", refused.getJsonObject("error").getString("code"));
      assertTrue(metric(1, "tandem_gateway_open_documents") <= before, "nothing opened");

      // Each may hold 50; the server 120: the third connection's extra documents are refused...
      assertEquals(50, bulk(greedy, "g", 50, "bs"));
      assertEquals(50, bulk(b, "b", 50, "bs"));
      int opened = bulk(c, "c", 50, "bs");
      assertTrue(opened <= 20, "over the server cap: " + opened);
      greedy.send(subscribe("one-more"));
      assertEquals("ERR_TOO_MANY_DOCUMENTS", error(greedy));
      // ...until documents nobody subscribes to can leave: they go first.
      assertEquals(50, bulk(greedy, "g", 50, "bu"));
      assertEquals(30, bulk(c, "c2-", 30, "bs"));
      assertTrue(metric(1, "tandem_gateway_open_documents") <= 120);
      // The connection is still fine.
      greedy.send(new JsonObject().put("a", "pp"));
      assertEquals("pp", greedy.next("pp").getString("a"));

      // A closed connection leaves every document it subscribed to: its 50 can go for others.
      b.close();
      try (WsClient d = connect(1)) {
        int got = 0;
        long deadline = System.currentTimeMillis() + 5_000;
        while (got < 50 && System.currentTimeMillis() < deadline) {
          got = bulk(d, "d", 50, "bs");
          if (got < 50) {
            bulk(d, "d", 50, "bu");
            Thread.sleep(100);
          }
        }
        assertEquals(50, got, "the closed connection's documents stayed subscribed");
      }
    }
  }

  /** Sends a bulk request for {@code n} ids {@code prefix + i}; the number of documents answered without an error. */
  private static int bulk(WsClient c, String prefix, int n, String action) throws Exception {
    JsonArray ids = new JsonArray();
    for (int i = 0; i < n; i++) {
      ids.add(prefix + i);
    }
    c.send(new JsonObject().put("a", action).put("c", "notes").put("b", ids));
    JsonObject reply = c.next(action);
    assertFalse(reply.containsKey("error"), reply.encode());
    JsonObject data = reply.getJsonObject("data");
    if (data == null) {
      return n;
    }
    return (int) data.stream().filter(e -> !((JsonObject) e.getValue()).containsKey("error")).count();
  }

  @Test
  void aClientThatNeverReadsIsClosedAndReleased() throws Exception {
    String id = doc();
    try (WsClient writer = connect(1); WsClient sink = connect(1)) {
      // Under 64 KiB a message, so the client's own frame limit never closes it.
      writer.send(create(id, 1, "x".repeat(60_000)));
      assertFalse(writer.next("op").containsKey("error"));
      long sessions = metric(1, "tandem_gateway_sessions");
      CompletableFuture<Short> closed = new CompletableFuture<>();
      sink.whenClosed(closed::complete);
      sink.pause();
      // Each fetch asks for 60 KB; 400 of them are 24 MB the client never takes.
      for (int i = 0; i < 400; i++) {
        sink.send(new JsonObject().put("a", "f").put("c", "notes").put("d", id));
      }
      // Well within the 15 s liveness: the budget closed it.
      awaitMetric(1, "tandem_gateway_sessions", n -> n <= sessions - 1, 8_000);
      sink.resume();
      closed.get(15, TimeUnit.SECONDS);
      // The writer is untouched.
      writer.send(edit(id, 1, 2, new JsonArray().add("y")));
      assertEquals(1, writer.next("op").getLong("v"));
    }
  }

  @Test
  void aClientThatPingsButNeverReadsIsClosedForWantOfPongs() throws Exception {
    try (WsClient chatter = connect(2)) {
      long sessions = metric(2, "tandem_gateway_sessions");
      chatter.pause();
      long deadline = System.currentTimeMillis() + 20_000;
      boolean gone = false;
      while (!gone && System.currentTimeMillis() < deadline) {
        chatter.send(new JsonObject().put("a", "pp"));
        Thread.sleep(100);
        gone = metric(2, "tandem_gateway_sessions") <= sessions - 1;
      }
      assertTrue(gone, "a client that sends but never reads must be closed");
    }
  }

  @Test
  void presenceFollowsShareDb() throws Exception {
    String id = doc();
    try (WsClient alice = connect(0); WsClient bob = connect(0)) {
      bob.send(new JsonObject().put("a", "ps").put("ch", "lobby").put("seq", 1));
      assertFalse(bob.next("ps").containsKey("error"));
      // c with d: null is relayed, as ShareDB relays it (as a presence of no document: the
      // presence record carries c and d together).
      alice.send(new JsonObject().put("a", "p").put("ch", "lobby").put("id", "a1").put("pv", 0)
          .put("p", new JsonObject().put("here", true)).put("c", "notes").putNull("d"));
      JsonObject ack = alice.next("p");
      assertFalse(ack.containsKey("error"), ack.encode());
      JsonObject seen = bob.next(m -> "p".equals(m.getString("a")) && "a1".equals(m.getString("id")));
      assertEquals(new JsonObject().put("here", true), seen.getJsonObject("p"));
      assertTrue(seen.getValue("d") == null, seen.encode());
      assertFalse(seen.getString("src").contains("."), "presence carries the alias");
      // Presence for a document the connection has not subscribed to is accepted.
      bob.send(new JsonObject().put("a", "ps").put("ch", "notes." + id).put("seq", 2));
      bob.next("ps");
      alice.send(new JsonObject().put("a", "p").put("ch", "notes." + id).put("id", "a2").put("pv", 0)
          .put("p", new JsonObject().put("index", 0)).put("c", "notes").put("d", id).put("v", 0));
      assertFalse(alice.next("p").containsKey("error"));
      assertNotNull(bob.next(m -> "p".equals(m.getString("a")) && "a2".equals(m.getString("id"))));
      // Dangerous channel names and deep values are refused; the connection stays.
      alice.send(new JsonObject().put("a", "ps").put("ch", "__proto__").put("seq", 3));
      assertEquals("ERR_MESSAGE_BADLY_FORMED", error(alice));
      JsonObject deep = new JsonObject();
      JsonObject at = deep;
      for (int i = 0; i < 40; i++) {
        JsonObject next = new JsonObject();
        at.put("x", next);
        at = next;
      }
      alice.send(new JsonObject().put("a", "p").put("ch", "lobby").put("id", "a1").put("pv", 1).put("p", deep));
      assertEquals("ERR_MESSAGE_TOO_LARGE", error(alice));
      alice.send(new JsonObject().put("a", "pp"));
      assertEquals("pp", alice.next("pp").getString("a"));
    }
  }

  @Test
  void presenceChannelsAreCappedPerConnectionAndPerServer() throws Exception {
    try (WsClient a = connect(1); WsClient b = connect(1)) {
      for (int i = 0; i < 60; i++) {
        a.send(new JsonObject().put("a", "ps").put("ch", "a-" + i).put("seq", i));
        assertFalse(a.next("ps").containsKey("error"));
      }
      a.send(new JsonObject().put("a", "ps").put("ch", "a-60").put("seq", 60));
      assertEquals("ERR_TOO_MANY_PRESENCE_CHANNELS", error(a));
      a.send(new JsonObject().put("a", "p").put("ch", "a-61").put("id", "x").put("pv", 0).put("p", 1));
      assertEquals("ERR_TOO_MANY_PRESENCE_CHANNELS", error(a));
      // The server's 100: b gets 40 new ones, and may still join a channel the server serves.
      for (int i = 0; i < 40; i++) {
        b.send(new JsonObject().put("a", "ps").put("ch", "b-" + i).put("seq", i));
        assertFalse(b.next("ps").containsKey("error"));
      }
      b.send(new JsonObject().put("a", "ps").put("ch", "b-40").put("seq", 40));
      assertEquals("ERR_TOO_MANY_PRESENCE_CHANNELS", error(b));
      b.send(new JsonObject().put("a", "ps").put("ch", "a-0").put("seq", 41));
      assertFalse(b.next("ps").containsKey("error"));
      // Leaving frees a channel for the next.
      a.send(new JsonObject().put("a", "pu").put("ch", "a-5").put("seq", 61));
      a.next("pu");
      b.send(new JsonObject().put("a", "ps").put("ch", "b-40").put("seq", 42));
      assertFalse(b.next("ps").containsKey("error"));
    }
  }

  private static long metric(int gateway, String name) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.port(gateway) + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String line : r.body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no metric " + name);
  }

  private static void awaitMetric(int gateway, String name, LongPredicate ok, long withinMs) throws Exception {
    long deadline = System.currentTimeMillis() + withinMs;
    long last;
    do {
      last = metric(gateway, name);
      if (ok.test(last)) {
        return;
      }
      Thread.sleep(100);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError(name + " stayed at " + last);
  }
}
