package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A raw WebSocket client for protocol tests: sends JSON text, queues what it receives. */
final class WsClient implements AutoCloseable {

  private final Vertx vertx;
  private final WebSocket socket;
  private final WebSocketClient client;
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  /** The client id the server gave in its handshake reply (a sharedb client's {@code connection.id}). */
  private String id;

  WsClient(Vertx vertx, int port) throws Exception {
    this(vertx, port, "/v1/docs");
  }

  WsClient(Vertx vertx, int port, String path) throws Exception {
    this.vertx = vertx;
    // Frames and messages as large as the server's message limit: a big document's snapshot comes
    // as one frame, past the client's default 64 KiB.
    // Kept in a field: Vert.x closes a client that becomes unreachable, with its sockets (1000), so
    // a canary's connection went the moment a test ran System.gc().
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(4 << 20).setMaxMessageSize(4 << 20));
    ClientWebSocket ws = client.webSocket();
    // The handler is in place before the handshake: the server's first message is not lost.
    ws.textMessageHandler(received::add);
    ws.connect(port, "127.0.0.1", path).await(10, TimeUnit.SECONDS);
    socket = ws;
  }

  /** A connection with the given options (headers, subprotocols); fails as the handshake fails. */
  WsClient(Vertx vertx, io.vertx.core.http.WebSocketConnectOptions options) throws Exception {
    this.vertx = vertx;
    client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(4 << 20).setMaxMessageSize(4 << 20)
        .setSsl(options.isSsl() != null && options.isSsl()).setTrustAll(true).setVerifyHost(false));
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(received::add);
    try {
      ws.connect(options).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      client.close();
      throw e;
    }
    socket = ws;
  }

  /** The subprotocol the server selected, if any. */
  String subProtocol() {
    return socket.subProtocol();
  }

  /** Past ShareDB's handshake on an open connection. */
  WsClient handshake() throws Exception {
    next("init");
    send(new JsonObject().put("a", "hs").put("protocol", 1).put("protocolMinor", 2).putNull("id"));
    id = next("hs").getString("id");
    return this;
  }

  /** A connection to {@code /v1/docs} past ShareDB's handshake (init, then hs). */
  static WsClient shareDb(Vertx vertx, int port) throws Exception {
    return shareDb(vertx, port, "/v1/docs");
  }

  /** The same, at {@code path} (which may carry a query, such as {@code ?user=}). */
  static WsClient shareDb(Vertx vertx, int port, String path) throws Exception {
    WsClient c = new WsClient(vertx, port, path);
    c.next("init");
    c.send(new JsonObject().put("a", "hs").put("protocol", 1).put("protocolMinor", 2).putNull("id"));
    c.id = c.next("hs").getString("id");
    return c;
  }

  /** The same, handshaking with the id of an earlier connection, as a reconnecting sharedb client does. */
  static WsClient reconnect(Vertx vertx, int port, String previousId) throws Exception {
    WsClient c = new WsClient(vertx, port, "/v1/docs");
    c.next("init");
    c.send(new JsonObject().put("a", "hs").put("protocol", 1).put("protocolMinor", 2).put("id", previousId));
    c.id = c.next("hs").getString("id");
    return c;
  }

  /** The client id the server's handshake reply gave this connection. */
  String id() {
    return id;
  }

  /** Stops reading: what the server sends stays in its queues and the kernel's. */
  void pause() {
    socket.pause();
  }

  void resume() {
    socket.resume();
  }

  /** Runs {@code action} when the socket closes, with the close status code (null for none). */
  void whenClosed(java.util.function.Consumer<Short> action) {
    socket.closeHandler(v -> action.accept(socket.closeStatusCode()));
  }

  void send(String text) {
    socket.writeTextMessage(text);
  }

  void send(JsonObject message) {
    send(message.encode());
  }

  /** The next message matching {@code which}, skipping others; fails after 10 s. */
  JsonObject next(Predicate<JsonObject> which) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      String text = received.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        break;
      }
      JsonObject m = new JsonObject(text);
      if (which.test(m)) {
        return m;
      }
    }
    assertNotNull(null, "no matching message within 10 s");
    return null;
  }

  /** The next message with action {@code a}. */
  JsonObject next(String a) throws InterruptedException {
    return next(m -> a.equals(m.getString("a")));
  }

  /** Nothing more arrives within {@code ms} milliseconds. */
  String poll(long ms) throws InterruptedException {
    return received.poll(ms, TimeUnit.MILLISECONDS);
  }

  boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public void close() {
    socket.close().eventually(() -> client.close());
  }

  /** Closes with {@code code}: 1000 is a goodbye, anything else reads as a dropped connection. */
  void close(short code) {
    socket.close(code).eventually(() -> client.close());
  }

  Vertx vertx() {
    return vertx;
  }
}
