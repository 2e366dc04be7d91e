package dev.tandem.gateway.transport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Pings every WebSocket of one server instance a few times per idle timeout, so a live client's
 * pong keeps its connection under the read-idle timeout (a signaling socket is silent for the
 * whole of a call) while a half-open one times out. Confined to the server instance's event loop.
 */
public final class WebSocketLiveness {

  private static final Buffer PING = Buffer.buffer("tandem");

  private final Set<ServerWebSocket> sockets = new HashSet<>();
  private final long timer;
  private final Vertx vertx;

  /** Starts pinging every {@code idleMillis / 3}; call on the server instance's event loop. */
  public WebSocketLiveness(Vertx vertx, long idleMillis) {
    this.vertx = vertx;
    this.timer = vertx.setPeriodic(Math.max(20, idleMillis / 3), id -> pingAll());
  }

  public void watch(ServerWebSocket socket) {
    sockets.add(socket);
  }

  private void pingAll() {
    sockets.removeIf(ServerWebSocket::isClosed);
    for (ServerWebSocket s : sockets) {
      s.writePing(PING);
    }
  }

  public void stop() {
    vertx.cancelTimer(timer);
    sockets.clear();
  }
}
