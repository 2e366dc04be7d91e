package dev.tandem.signal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.access.Principal;
import dev.tandem.access.SessionToken;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * One signaling connection. Frames are read and parsed on the socket's event loop; everything
 * else runs on the hub's, in the order the frames came. Confined to the hub's loop after that.
 */
final class PeerSession {

  /** Deepest nesting a message may have: SDP and ICE are a few levels; a deeper one could not be relayed. */
  static final int MAX_DEPTH = 64;

  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      // The record that relays a message wraps it once more, and must stay under the write limit.
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build());

  final ServerWebSocket socket;
  final String user;
  /** The token this connection acts under: its sub, its room grants, its expiry and refresh. */
  final SessionToken token;
  /** Room to this connection's peer id there. */
  final Map<String, String> rooms = new HashMap<>();
  /** When this connection's last stats report per room was taken (rooms it is in only). */
  final Map<String, Long> statsAt = new HashMap<>();
  private final double perMilli;
  private final double capacity;
  private double tokens;
  private long last = System.nanoTime();
  boolean closed;
  private final SignalingHub hub;
  private final Context hubContext;

  PeerSession(ServerWebSocket socket, SessionToken token, SignalingHub hub, Context hubContext, int maxBytes,
      int perSecond) {
    this.socket = socket;
    this.hub = hub;
    this.hubContext = hubContext;
    this.token = token;
    this.user = token.principal().user();
    this.perMilli = perSecond / 1000.0;
    this.capacity = perSecond * 2.0;
    this.tokens = capacity;
    socket.textMessageHandler(text -> {
      Object parsed;
      if (text.length() > maxBytes) {
        parsed = new SignalingHub.Refusal(SignalingHub.TOO_LARGE,
            "message of " + text.length() + " characters is over the limit of " + maxBytes);
      } else {
        parsed = parse(text);
      }
      hubContext.runOnContext(v -> hub.onMessage(this, parsed));
    });
    socket.binaryMessageHandler(b -> hubContext.runOnContext(v -> hub.onMessage(this,
        new SignalingHub.Refusal(SignalingHub.BAD_MESSAGE, "binary messages are not part of the protocol"))));
    socket.exceptionHandler(e -> { });
  }

  /**
   * For the socket's close handler, which the gateway owns: a clean close (1000, or 1001 when a
   * page goes away) leaves every room at once; a drop keeps the peer's place for a resume.
   */
  void socketClosed() {
    Short code = socket.closeStatusCode();
    boolean clean = code != null && (code == 1000 || code == 1001);
    hubContext.runOnContext(x -> hub.closed(this, clean));
  }

  /** Who the connection acts for now (a refresh may have changed the grants). */
  Principal principal() {
    return token.principal();
  }

  private static Object parse(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n instanceof ObjectNode o) {
        return o;
      }
      return new SignalingHub.Refusal(SignalingHub.BAD_MESSAGE, "a message is a JSON object");
    } catch (StreamConstraintsException e) {
      return new SignalingHub.Refusal(SignalingHub.BAD_MESSAGE, "a message may nest at most " + MAX_DEPTH + " levels");
    } catch (Exception e) {
      return new SignalingHub.Refusal(SignalingHub.BAD_JSON, "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** Takes a token from the bucket; false when the connection sends too fast. */
  boolean take() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) / 1_000_000.0 * perMilli);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  void send(ObjectNode message) {
    sendText(message.toString());
  }

  void sendText(String text) {
    if (!closed) {
      socket.writeTextMessage(text);
    }
  }

  void error(String code, String message, String room) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("type", "error");
    m.put("code", code);
    m.put("message", message);
    if (room != null) {
      m.put("room", room);
    }
    send(m);
  }
}
