package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The transport edge: frame and message sizes, compressed frames that inflate to megabytes, and
 * HTTP connections that open and then say nothing.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileTransportTest extends HostileCase {

  /** /health answers within this while a deflate bomb goes off. */
  private static final Duration HEALTH_FAST = Duration.ofSeconds(1);
  private static final List<Socket> IDLE = new ArrayList<>();
  private static long idleSince;

  @BeforeAll
  static void openIdleConnections() throws IOException {
    // Opened first, judged last: the other cases run while these wait for the server's time-out.
    idleSince = System.currentTimeMillis();
    for (int i = 0; i < 40; i++) {
      Socket s = new Socket("127.0.0.1", server.port());
      if (i % 2 == 1) {
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
      }
      IDLE.add(s);
    }
  }

  @AfterAll
  static void closeIdleConnections() throws IOException {
    for (Socket s : IDLE) {
      s.close();
    }
  }

  /** A raw connection past ShareDB's handshake. */
  private static RawWebSocket rawShareDb(boolean deflate) throws Exception {
    RawWebSocket s = RawWebSocket.connect(server.port(), "/v1/docs", deflate);
    assertNotNull(s.nextMatching("init", seconds(5)));
    s.sendText("{\"a\":\"hs\",\"protocol\":1,\"protocolMinor\":2,\"id\":null}");
    assertNotNull(s.nextMatching("\"hs\"", seconds(5)));
    return s;
  }

  private static String insertOp(String id, long seq, int chars) {
    return "{\"a\":\"op\",\"c\":\"notes\",\"d\":\"" + id + "\",\"v\":1,\"seq\":" + seq + ",\"op\":[\"" + "y".repeat(chars)
        + "\"]}";
  }

  private static String newTextDoc() throws Exception {
    String id = newId();
    try (WsClient c = connect()) {
      acked(c, create("notes", id, TEXT, "", 1));
    }
    return id;
  }

  /** The connection still answers a ping. */
  private static void stillAnswers(RawWebSocket s) throws Exception {
    s.sendText("{\"a\":\"pp\"}");
    RawWebSocket.Frame pong = s.nextMatching("\"pp\"", seconds(5));
    assertTrue(pong != null && !pong.isClose(), "the connection no longer answers: " + pong);
  }

  @Test
  @Order(1)
  void aSingleFrameOf200KiBIsAcceptedAndProcessed() throws Exception {
    String id = newTextDoc();
    try (RawWebSocket s = rawShareDb(false)) {
      s.sendText(insertOp(id, 7, 200 * 1024));
      RawWebSocket.Frame ack = s.nextMatching("\"seq\":7", seconds(10));
      assertTrue(ack != null && !ack.isClose(), "a 200 KiB frame was not answered: " + ack);
      assertFalse(ack.text().contains("\"error\""), ack.text());
      stillAnswers(s);
    }
    try (WsClient c = connect()) {
      assertEquals(200 * 1024, snapshot(c, "notes", id).getString("data").length());
      survived("after a 200 KiB frame", null);
    }
  }

  /** The answer to an oversized message: a short error (and the connection goes on) or a close. */
  private static void answeredShortOrClosed(RawWebSocket s, int size) throws Exception {
    RawWebSocket.Frame f = s.next(seconds(10));
    assertNotNull(f, "a message of " + size + " bytes got neither an answer nor a close within 10 s");
    if (f.isClose()) {
      assertTrue(HostileCodes.TOO_LARGE_CLOSE.contains(f.code()), "closed with " + f.code());
      return;
    }
    assertTrue(f.text().length() < HostileCodes.MAX_ERROR_REPLY_BYTES, "the error is " + f.text().length()
        + " characters: the body was echoed");
    assertEquals(HostileCodes.MESSAGE_TOO_LARGE, HostileCodes.codeOf(new JsonObject(f.text())));
    stillAnswers(s);
  }

  @Test
  @Order(2)
  void aMessageOf2MBGetsAShortErrorOrATooBigClose() throws Exception {
    String id = newTextDoc();
    // The bulk in the op, then in a field an error reply might copy back.
    List<String> bodies = List.of(insertOp(id, 8, 2_000_000),
        "{\"a\":\"f\",\"c\":\"notes\",\"d\":\"" + id + "\",\"meta\":\"" + "m".repeat(2_000_000) + "\"}");
    for (String text : bodies) {
      try (RawWebSocket s = rawShareDb(false)) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        s.sendFragmented(body, 64 * 1024);
        answeredShortOrClosed(s, body.length);
      }
    }
    survived("after a 2 MB message", null);
  }

  @Test
  @Order(3)
  void aMessageOf5MBGetsAnAnswerOrACloseNeverSilence() throws Exception {
    String id = newTextDoc();
    try (RawWebSocket s = rawShareDb(false)) {
      byte[] body = insertOp(id, 9, 5_000_000).getBytes(StandardCharsets.UTF_8);
      try {
        s.sendFragmented(body, 64 * 1024);
      } catch (SocketException e) {
        // The server closed while the message was still going out: the close is read below.
      }
      answeredShortOrClosed(s, body.length);
    }
    survived("after a 5 MB message", null);
  }

  @Test
  @Order(4)
  void compressedFramesInflatingPastTheLimitAreClosedAndHealthStaysFast() throws Exception {
    String id = newTextDoc();
    byte[] chunk = "A".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
    byte[] bomb = RawWebSocket.compress("{\"a\":\"op\",\"c\":\"notes\",\"d\":\"" + id + "\",\"v\":1,\"seq\":5,\"op\":[\"",
        chunk, 50, "\"]}");
    assertTrue(bomb.length < 100_000, "the bomb is " + bomb.length + " bytes");
    AtomicLong slowest = new AtomicLong();
    Thread watcher = new Thread(() -> {
      long end = System.currentTimeMillis() + 6000;
      while (System.currentTimeMillis() < end) {
        long t0 = System.nanoTime();
        int status = server.health(Duration.ofSeconds(10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        slowest.accumulateAndGet(status == 200 ? ms : Long.MAX_VALUE, Math::max);
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    watcher.start();
    try (RawWebSocket s = rawShareDb(true)) {
      try {
        for (int i = 0; i < 3; i++) {
          s.sendCompressed(bomb);
        }
      } catch (SocketException e) {
        // closed after the first: the close is read below
      }
      RawWebSocket.Frame f = s.nextMatching("\"seq\":5", seconds(5));
      assertTrue(f != null && f.isClose(), "three frames inflating to 50 MB each: not closed but " + f);
      assertTrue(HostileCodes.DEFLATE_BOMB_CLOSE.contains(f.code()), "closed with " + f.code());
    }
    watcher.join();
    assertTrue(slowest.get() < HEALTH_FAST.toMillis(), "/health took " + slowest.get() + " ms during the deflate bomb");
    survived("after a deflate bomb", null);
  }

  @Test
  @Order(99)
  void halfOpenIdleHttpConnectionsAreTimedOut() throws Exception {
    int open = 0;
    for (Socket s : IDLE) {
      long left = idleSince + HostileCodes.IDLE_HTTP_CLOSED.toMillis() - System.currentTimeMillis();
      s.setSoTimeout((int) Math.max(1, left));
      InputStream in = s.getInputStream();
      try {
        while (in.read() >= 0) {
          // a 408 or the like may come before the close
        }
      } catch (SocketTimeoutException e) {
        open++;
      } catch (SocketException e) {
        // reset: closed
      }
    }
    assertEquals(0, open, open + " of " + IDLE.size() + " idle HTTP connections still open after "
        + HostileCodes.IDLE_HTTP_CLOSED);
    survived("after idle HTTP connections", null);
  }
}
