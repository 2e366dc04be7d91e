package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every hostile-client test class shares: one standalone server per class, a canary in
 * every partition editing throughout, and {@link #survived} to end each case with: the server
 * is healthy, new and (where allowed) hostile connections work, the canaries kept editing within
 * their bound, and the event log verifies. Also the ShareDB requests the cases are made of.
 */
abstract class HostileCase {

  static final String TEXT = "http://sharejs.org/types/text-unicode";
  static final String JSON0 = "http://sharejs.org/types/JSONv0";

  static HostileServer server;
  static Vertx vertx;
  static Canary canary;

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    server = HostileServer.start();
    canary = new Canary(vertx, server.port(), HostileServer.PARTITIONS);
  }

  @AfterAll
  static void stopServer() {
    if (canary != null) {
      canary.close();
    }
    if (server != null) {
      server.close();
    }
    vertx.close();
  }

  @BeforeEach
  void newWindow() {
    canary.checkpoint();
  }

  /** Restarts the server on its data directory, with a new canary (new documents, so creation is tested too). */
  static void restartServer() throws Exception {
    canary.close();
    server.restart();
    canary = new Canary(vertx, server.port(), HostileServer.PARTITIONS);
  }

  /** The end of every case: server healthy, connections work, canaries kept editing, log verifies. */
  static void survived(String during, WsClient hostile) throws Exception {
    server.assertSurvived(vertx, hostile);
    canary.assertKeptEditing(during);
    server.assertLogVerifies();
  }

  static WsClient connect() throws Exception {
    return WsClient.shareDb(vertx, server.port());
  }

  static String newId() {
    return "h-" + UUID.randomUUID();
  }

  static JsonObject create(String c, String id, String type, Object data, long seq) {
    return new JsonObject().put("a", "op").put("c", c).put("d", id).put("v", 0).put("seq", seq)
        .put("create", new JsonObject().put("type", type).put("data", data));
  }

  static JsonObject op(String c, String id, long v, long seq, Object op) {
    return new JsonObject().put("a", "op").put("c", c).put("d", id).put("v", v).put("seq", seq).put("op", op);
  }

  static JsonObject del(String c, String id, long v, long seq) {
    return new JsonObject().put("a", "op").put("c", c).put("d", id).put("v", v).put("seq", seq).put("del", true);
  }

  static JsonObject fetch(String c, String id) {
    return new JsonObject().put("a", "f").put("c", c).put("d", id);
  }

  /** The ack or error answering op {@code seq} on document {@code id}. */
  static JsonObject answer(WsClient c, String id, long seq) throws InterruptedException {
    return c.next(m -> "op".equals(m.getString("a")) && id.equals(m.getString("d")) && m.getValue("seq") instanceof Number n
        && n.longValue() == seq && (m.containsKey("error") || !m.containsKey("op") && !m.containsKey("create")
        && !m.containsKey("del")));
  }

  /** Sends {@code request} and asserts it is acknowledged without error; returns the ack. */
  static JsonObject acked(WsClient c, JsonObject request) throws InterruptedException {
    c.send(request);
    JsonObject ack = answer(c, request.getString("d"), request.getLong("seq"));
    assertFalse(ack.containsKey("error"), request.encode() + " -> " + ack.encode());
    return ack;
  }

  /** Sends {@code request} and returns the code of the error that answers it (its text checked for internals). */
  static String refused(WsClient c, JsonObject request) throws InterruptedException {
    c.send(request);
    JsonObject reply = request.getString("a").equals("op")
        ? answer(c, request.getString("d"), request.getLong("seq"))
        : c.next(m -> m.containsKey("error") || request.getString("a").equals(m.getString("a")));
    return HostileCodes.codeOf(reply);
  }

  /** The snapshot {@code {v, type, data}} of a document. */
  static JsonObject snapshot(WsClient c, String coll, String id) throws InterruptedException {
    c.send(fetch(coll, id));
    return c.next(m -> "f".equals(m.getString("a")) && id.equals(m.getString("d"))).getJsonObject("data");
  }

  static JsonArray path(Object... segments) {
    return new JsonArray(java.util.List.of(segments));
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
