package dev.tandem.gateway.transport;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a WebSocket with 1009 (message too big) as soon as the frames of one message add up to
 * more than the limit. Vert.x itself only drops such a message and reports an exception (no reply,
 * no close: a 5 MB message went unanswered), and it then delivers the message's last fragment as
 * if it were a message. A single frame over the limit is refused by Netty from its announced length;
 * Vert.x would then drop the connection without a close frame (1006), so the refusal is answered
 * here with Netty's close status (1009 for a frame too big, 1002 for a protocol error such as a
 * compressed frame when no compression was negotiated). Watches frames beside the socket's message
 * handlers, never instead of them; it takes the socket's exception handler, so call it after the
 * protocol's handlers are in place.
 */
public final class MessageLimit {

  private static final Logger LOG = LoggerFactory.getLogger(MessageLimit.class);

  /** The close code of RFC 6455 for a message too big to process. */
  public static final short TOO_BIG = 1009;

  private final int maxBytes;
  private final AtomicLong closed = new AtomicLong();

  public MessageLimit(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Sockets closed for an oversized message. */
  public long closedCount() {
    return closed.get();
  }

  /** Watches {@code socket}; call on the socket's event loop, before any frame arrives. */
  public void watch(ServerWebSocket socket) {
    socket.exceptionHandler(e -> {
      if (e instanceof CorruptedWebSocketFrameException refused) {
        int code = refused.closeStatus().code();
        if (code == TOO_BIG) {
          closed.incrementAndGet();
        }
        LOG.debug("closing a WebSocket with {}: {}", code, e.getMessage());
        socket.close((short) code, code == TOO_BIG ? "frame over the limit of " + maxBytes + " bytes" : "protocol error");
      } else {
        LOG.debug("WebSocket error: {}", e.toString());
      }
    });
    long[] message = {0};
    boolean[] done = {false};
    socket.frameHandler(frame -> {
      if (done[0] || !counts(frame)) {
        return;
      }
      message[0] = (frame.type() == WebSocketFrameType.CONTINUATION ? message[0] : 0) + frame.binaryData().length();
      if (message[0] > maxBytes) {
        done[0] = true;
        closed.incrementAndGet();
        socket.close(TOO_BIG, "message over the limit of " + maxBytes + " bytes");
      } else if (frame.isFinal()) {
        message[0] = 0;
      }
    });
  }

  private static boolean counts(WebSocketFrame frame) {
    return frame.type() == WebSocketFrameType.TEXT || frame.type() == WebSocketFrameType.BINARY
        || frame.type() == WebSocketFrameType.CONTINUATION;
  }
}
