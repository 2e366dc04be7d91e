package dev.tandem.gateway.transport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Liveness of every WebSocket of one server instance (documents and signaling alike), from pongs:
 * pings each socket three times per TTL and closes (1001) one that has answered no ping for the
 * TTL. What a client sends otherwise does not count: a client that keeps sending but never reads
 * answers no ping (its pongs queue behind what it does not read), so it goes, while a silent
 * signaling socket in a call stays. Confined to the server instance's event loop.
 */
public final class WebSocketLiveness {

  private static final Buffer PING = Buffer.buffer("tandem");

  private final Map<ServerWebSocket, long[]> lastPong = new HashMap<>();
  private final long ttlMillis;
  private final long timer;
  private final Vertx vertx;

  /** Starts pinging every {@code ttlMillis / 3}; call on the server instance's event loop. */
  public WebSocketLiveness(Vertx vertx, long ttlMillis) {
    this.vertx = vertx;
    this.ttlMillis = ttlMillis;
    this.timer = vertx.setPeriodic(Math.max(20, ttlMillis / 3), id -> sweep());
  }

  /** Watches {@code socket}: takes its pong handler. Call on the socket's event loop. */
  public void watch(ServerWebSocket socket) {
    long[] heard = {System.currentTimeMillis()};
    lastPong.put(socket, heard);
    socket.pongHandler(b -> heard[0] = System.currentTimeMillis());
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Iterator<Map.Entry<ServerWebSocket, long[]>> it = lastPong.entrySet().iterator(); it.hasNext();) {
      Map.Entry<ServerWebSocket, long[]> e = it.next();
      ServerWebSocket s = e.getKey();
      if (s.isClosed()) {
        it.remove();
      } else if (now - e.getValue()[0] > ttlMillis) {
        it.remove();
        s.close((short) 1001, "no pong for " + ttlMillis + " ms");
      } else {
        s.writePing(PING);
      }
    }
  }

  public void stop() {
    vertx.cancelTimer(timer);
    lastPong.clear();
  }
}
