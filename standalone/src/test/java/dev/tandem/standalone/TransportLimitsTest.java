package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.GatewayVerticle;
import dev.tandem.gateway.TransportConfig;
import dev.tandem.signal.SignalingConfig;
import dev.tandem.signal.SignalingVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's transport limits against a real server and broker, with hand-made frames: frames
 * up to the message limit, messages past it, compressed frames, idle and slow connections, and
 * the connection cap.
 */
@Timeout(60)
class TransportLimitsTest {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static final int LIMIT = 1024 * 1024;
  private static TestCluster cluster;
  private static final List<Vertx> servers = new ArrayList<>();
  private static Vertx vertx;
  private static int port;
  private static int cappedPort;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(2);
    cluster.addOtService();
    vertx = Vertx.vertx();
    TransportConfig quick = TransportConfig.fromEnv(Map.of()).withTimeouts(Duration.ofMillis(1500), Duration.ofMillis(1000),
        Duration.ofMillis(1000));
    port = deploy(quick, true);
    cappedPort = deploy(TransportConfig.fromEnv(Map.of()).withMaxConnections(4), false);
  }

  /** A gateway in a Vert.x of its own (servers on port 0 in one Vert.x would share one port). */
  private static int deploy(TransportConfig transport, boolean withSignaling) throws Exception {
    Vertx server = Vertx.vertx();
    servers.add(server);
    GatewayVerticle gw = new GatewayVerticle(GatewayConfig.fromEnv(Map.of())
        .with(0, cluster.bootstrap, cluster.topics, "gw-" + UUID.randomUUID())).withTransport(transport);
    if (withSignaling) {
      SignalingVerticle sig = new SignalingVerticle(SignalingConfig.fromEnv(Map.of())
          .with(cluster.bootstrap, cluster.topics, "sig-" + UUID.randomUUID()));
      server.deployVerticle(sig).await(60, TimeUnit.SECONDS);
      gw.withWebSocket("/v1/signal", sig::accept);
    }
    server.deployVerticle(gw).await(90, TimeUnit.SECONDS);
    return gw.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    for (Vertx server : servers) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    cluster.close();
  }

  /** A raw connection past ShareDB's handshake. */
  private static RawSocket shareDb() throws IOException {
    RawSocket s = new RawSocket(port);
    assertTrue(s.upgrade("/v1/docs", "").startsWith("HTTP/1.1 101"));
    assertTrue(s.readUntil(1).text().contains("\"init\""));
    s.text("{\"a\":\"hs\",\"protocol\":1,\"protocolMinor\":2,\"id\":null}");
    assertTrue(s.readUntil(1).text().contains("\"hs\""));
    return s;
  }

  private static HttpResponse<String> get(int p, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + path)).timeout(Duration.ofSeconds(3))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The server still answers: /health, and a new ShareDB client fetching a document. */
  private static void serverSurvives() throws Exception {
    assertEquals(200, get(port, "/health").statusCode());
    try (WsClient c = WsClient.shareDb(vertx, port)) {
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", "canary"));
      JsonObject f = c.next("f");
      assertFalse(f.containsKey("error"), f.encode());
    }
  }

  private static String createMessage(String id, String data) {
    return new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 0).put("seq", 1)
        .put("create", new JsonObject().put("type", TEXT).put("data", data)).encode();
  }

  @Test
  void aSingleFrameOf200KiBUnderTheMessageLimitIsAcceptedAndProcessed() throws Exception {
    try (RawSocket s = shareDb()) {
      String id = "big-" + UUID.randomUUID();
      s.text(createMessage(id, "x".repeat(200 * 1024)));
      JsonObject ack = new JsonObject(s.readUntil(1).text());
      assertEquals("op", ack.getString("a"), ack.encode());
      assertFalse(ack.containsKey("error"), ack.encode());
      s.text(new JsonObject().put("a", "f").put("c", "notes").put("d", id).encode());
      JsonObject f = new JsonObject(s.readUntil(1).text());
      assertEquals(200 * 1024, f.getJsonObject("data").getString("data").length());
    }
  }

  /** The transport reads messages up to this; the protocol's limit is {@link #LIMIT}. */
  private static final int READ_LIMIT = 4 * LIMIT;

  @Test
  void aSingleFrameOverTheReadLimitIsClosedWith1009() throws Exception {
    try (RawSocket s = shareDb()) {
      // Only the frame's head: the server refuses the frame from its announced length.
      s.frameHead(1, READ_LIMIT + 1L);
      RawSocket.Frame close = s.readUntil(8);
      assertNotNull(close, "the server closed without a close frame");
      assertEquals(1009, close.closeCode(), close.text());
      assertTrue(close.payload().length < 200, "the close echoes no body");
    }
    serverSurvives();
  }

  /** Sends about {@code bytes} of one text message in 64 KiB fragments; stops quietly if the server closes. */
  private static void sendFragmented(RawSocket s, String prefix, int bytes) {
    byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
    try {
      s.frame(1, false, false, prefix.getBytes(StandardCharsets.UTF_8));
      for (int sent = prefix.length(); sent < bytes; sent += chunk.length) {
        s.frame(0, false, false, chunk);
      }
      s.frame(0, true, false, "\"}}".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // The server closed while the rest was still being sent: the close frame is read after.
    }
  }

  /** A message over the protocol's limit but under the read limit: a short error, the connection stays. */
  private static void answeredWithAShortError(boolean oneFrame, int bytes) throws Exception {
    try (RawSocket s = shareDb()) {
      String prefix = "{\"a\":\"op\",\"c\":\"notes\",\"d\":\"over\",\"v\":0,\"seq\":1,\"create\":{\"type\":\"" + TEXT
          + "\",\"data\":\"";
      if (oneFrame) {
        s.text(prefix + "x".repeat(bytes) + "\"}}");
      } else {
        sendFragmented(s, prefix, bytes);
      }
      RawSocket.Frame reply = s.readUntil(1);
      assertNotNull(reply);
      assertEquals(1, reply.opcode(), "closed: " + reply.closeCode());
      assertTrue(reply.payload().length < 1_000, "the error echoes the message: " + reply.payload().length + " bytes");
      JsonObject error = new JsonObject(reply.text());
      assertEquals("ERR_MESSAGE_TOO_LARGE", error.getJsonObject("error").getString("code"), reply.text());
      s.text(new JsonObject().put("a", "f").put("c", "notes").put("d", "after").encode());
      assertEquals("f", new JsonObject(s.readUntil(1).text()).getString("a"));
    }
    serverSurvives();
  }

  @Test
  void aMessageOf2MBInOneFrameIsAnsweredWithAShortErrorOnAConnectionThatStays() throws Exception {
    answeredWithAShortError(true, 2 * 1000 * 1000);
  }

  @Test
  void aMessageOf2MBInFragmentsIsAnsweredWithAShortErrorOnAConnectionThatStays() throws Exception {
    answeredWithAShortError(false, 2 * 1000 * 1000);
  }

  @Test
  void aFragmentedMessageOf5MBIsClosedWith1009() throws Exception {
    try (RawSocket s = shareDb()) {
      sendFragmented(s, "{\"a\":\"f\",\"x\":\"", 5 * 1000 * 1000);
      RawSocket.Frame close = s.readUntil(8);
      assertNotNull(close, "no close frame after a message of 5 MB");
      assertEquals(1009, close.closeCode(), close.text());
      assertTrue(close.payload().length < 200, "the close echoes no body");
    }
    serverSurvives();
  }

  @Test
  void aSignalingMessageOverTheReadLimitIsClosedWith1009() throws Exception {
    try (RawSocket s = new RawSocket(port)) {
      assertTrue(s.upgrade("/v1/signal", "").startsWith("HTTP/1.1 101"));
      sendFragmented(s, "{\"type\":\"broadcast\",\"room\":\"r\",\"data\":\"", 5 * 1000 * 1000);
      RawSocket.Frame close = s.readUntil(8);
      assertNotNull(close);
      assertEquals(1009, close.closeCode(), close.text());
    }
    serverSurvives();
  }

  /** 50 MB of one letter, deflated as permessage-deflate would carry it (about 50 KB). */
  private static byte[] deflateBomb() {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] block = "a".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    for (int i = 0; i < 50; i++) {
      deflater.setInput(block);
      while (!deflater.needsInput()) {
        out.write(buf, 0, deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      out.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    return out.toByteArray();
  }

  @Test
  void compressionIsDeclinedAndACompressedFrameClosesTheConnection() throws Exception {
    byte[] bomb = deflateBomb();
    assertTrue(bomb.length < 200_000, "bomb of " + bomb.length + " bytes");
    List<RawSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawSocket s = new RawSocket(port);
        sockets.add(s);
        String head = s.upgrade("/v1/docs", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        assertFalse(head.toLowerCase().contains("deflate"), "compression was negotiated: " + head);
        try {
          s.frame(1, true, true, bomb);
        } catch (IOException e) {
          // closed while sending: that is the expected end
        }
      }
      for (RawSocket s : sockets) {
        assertTrue(s.closedWithin(5_000), "a compressed frame did not close its connection");
      }
      assertEquals(200, get(port, "/health").statusCode());
    } finally {
      for (RawSocket s : sockets) {
        s.close();
      }
    }
    serverSurvives();
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawSocket s = new RawSocket(port)) {
      s.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertTrue(s.readResponse().startsWith("HTTP/1.1 200"));
      assertFalse(s.closedWithin(500), "closed before the idle timeout");
      assertTrue(s.closedWithin(5_000), "an idle connection stayed open");
    }
  }

  @Test
  void aConnectionThatSendsNoRequestIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (RawSocket s = new RawSocket(port)) {
      assertTrue(s.closedWithin(5_000), "a silent connection stayed open");
    }
  }

  @Test
  void aRequestHeadTrickledUnderTheIdleTimeoutIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (RawSocket s = new RawSocket(port)) {
      s.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      long deadline = System.currentTimeMillis() + 6_000;
      boolean closed = false;
      while (!closed && System.currentTimeMillis() < deadline) {
        try {
          s.write("X-Slow: 1\r\n");
        } catch (IOException e) {
          closed = true;
          break;
        }
        closed = s.closedWithin(400);
      }
      assertTrue(closed, "a connection trickling its request head stayed open");
    }
  }

  @Test
  void aPutBodyTrickledPastTheBodyTimeoutClosesTheConnection() throws Exception {
    try (RawSocket s = new RawSocket(port)) {
      s.write("PUT /v1/docs/notes/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nabc");
      long deadline = System.currentTimeMillis() + 6_000;
      boolean closed = false;
      while (!closed && System.currentTimeMillis() < deadline) {
        try {
          s.write("d");
        } catch (IOException e) {
          closed = true;
          break;
        }
        closed = s.closedWithin(300);
      }
      assertTrue(closed, "a connection trickling its PUT body stayed open");
    }
  }

  @Test
  void aWebSocketThatAnswersPingsOutlivesTheIdleTimeout() throws Exception {
    try (WsClient c = WsClient.shareDb(vertx, port)) {
      Thread.sleep(4_000);
      assertFalse(c.isClosed());
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", "still-here"));
      assertFalse(c.next("f").containsKey("error"));
    }
  }

  @Test
  void aWebSocketThatNeverAnswersPingsIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawSocket s = new RawSocket(port)) {
      assertTrue(s.upgrade("/v1/signal", "").startsWith("HTTP/1.1 101"));
      boolean pinged = false;
      RawSocket.Frame f;
      while ((f = s.readFrame()) != null && f.opcode() != 8) {
        pinged |= f.opcode() == 9;
      }
      assertTrue(pinged, "the server never pinged");
      assertNotNull(f, "closed without a close frame");
      assertEquals(1001, f.closeCode(), f.text());
    }
  }

  @Test
  void connectionsOverTheCapAreRefusedWith503() throws Exception {
    List<RawSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        held.add(new RawSocket(cappedPort));
      }
      Thread.sleep(200);
      try (RawSocket over = new RawSocket(cappedPort)) {
        over.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        String response = over.readResponse();
        assertTrue(response.startsWith("HTTP/1.1 503"), response);
        assertTrue(over.closedWithin(3_000), "a refused connection stayed open");
      }
      try (RawSocket over = new RawSocket(cappedPort)) {
        assertTrue(over.upgrade("/v1/docs", "").startsWith("HTTP/1.1 503"));
      }
    } finally {
      for (RawSocket s : held) {
        s.close();
      }
    }
    long deadline = System.currentTimeMillis() + 5_000;
    int status = 0;
    while (System.currentTimeMillis() < deadline && status != 200) {
      try (RawSocket s = new RawSocket(cappedPort)) {
        s.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        String r = s.readResponse();
        status = Integer.parseInt(r.substring(9, 12));
        if (status == 200) {
          assertTrue(r.matches("(?s).*tandem_gateway_connections_refused_total [1-9].*"), r);
        }
      }
      Thread.sleep(100);
    }
    assertEquals(200, status, "the server did not take connections again below the cap");
  }

  /**
   * Vert.x reports an upgraded connection's close to its WebSocket only, never to the HTTP
   * connection: counted from that, every WebSocket ever opened stayed counted, and a server with a
   * cap of 4 refused everyone after its fourth socket had come and gone.
   */
  @Test
  void webSocketsThatCameAndWentNoLongerCountAgainstTheCap() throws Exception {
    for (int round = 0; round < 12; round++) {
      long deadline = System.currentTimeMillis() + 5_000;
      RawWebSocket ws = null;
      while (ws == null) {
        try {
          ws = RawWebSocket.connect(cappedPort, "/v1/docs", false);
        } catch (java.io.IOException refused) {
          // The previous round's close may not have reached the server yet.
          if (System.currentTimeMillis() > deadline) {
            throw new AssertionError("round " + round + ": a WebSocket was refused under the cap: " + refused.getMessage());
          }
          Thread.sleep(50);
        }
      }
      assertTrue(ws.nextMatching("init", Duration.ofSeconds(5)).text().contains("init"));
      if (round % 2 == 0) {
        ws.close();
      } else {
        // A close handshake: the client's close frame, which the server answers and then closes
        // the TCP connection itself.
        ws.sendFrame(0x8, true, false, new byte[] {0x03, (byte) 0xE8});
        RawWebSocket.Frame f;
        do {
          f = ws.next(Duration.ofSeconds(5));
        } while (f != null && !f.isClose());
        ws.close();
      }
    }
  }
}
