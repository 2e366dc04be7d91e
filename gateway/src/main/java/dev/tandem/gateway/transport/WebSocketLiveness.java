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

  /** When a socket last answered, and what to do when it stops. */
  private record Watched(long[] lastPong, Runnable unresponsive) {}

  private final Map<ServerWebSocket, Watched> watched = new HashMap<>();
  private final long ttlMillis;
  private final long timer;
  private final Vertx vertx;

  /** Starts pinging every {@code ttlMillis / 3}; call on the server instance's event loop. */
  public WebSocketLiveness(Vertx vertx, long ttlMillis) {
    this.vertx = vertx;
    this.ttlMillis = ttlMillis;
    this.timer = vertx.setPeriodic(Math.max(20, ttlMillis / 3), id -> sweep());
  }

  /** Watches {@code socket}, closing it (1001) when it stops answering. */
  public void watch(ServerWebSocket socket) {
    watch(socket, () -> socket.close((short) 1001, "no pong for " + ttlMillis + " ms"));
  }

  /**
   * Watches {@code socket}: takes its pong handler, and runs {@code unresponsive} once when it has
   * answered no ping for the TTL. That action must release what the socket holds at once: the
   * close handshake with a client that does not read only ends at Vert.x's close timeout.
   * Call on the socket's event loop.
   */
  public void watch(ServerWebSocket socket, Runnable unresponsive) {
    long[] heard = {System.currentTimeMillis()};
    watched.put(socket, new Watched(heard, unresponsive));
    socket.pongHandler(b -> heard[0] = System.currentTimeMillis());
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Iterator<Map.Entry<ServerWebSocket, Watched>> it = watched.entrySet().iterator(); it.hasNext();) {
      Map.Entry<ServerWebSocket, Watched> e = it.next();
      ServerWebSocket s = e.getKey();
      if (s.isClosed()) {
        it.remove();
      } else if (now - e.getValue().lastPong()[0] > ttlMillis) {
        it.remove();
        e.getValue().unresponsive().run();
      } else {
        s.writePing(PING);
      }
    }
  }

  /** How long a socket may go without answering a ping. */
  public long ttlMillis() {
    return ttlMillis;
  }

  public void stop() {
    vertx.cancelTimer(timer);
    watched.clear();
  }
}
