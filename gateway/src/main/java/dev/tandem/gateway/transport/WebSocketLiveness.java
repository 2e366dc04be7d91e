package dev.tandem.gateway.transport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Liveness of every WebSocket of one server instance, from what the client sends: pings each
 * socket a few times per idle timeout and closes (1001) one from which no frame at all, pong
 * included, has arrived for the idle timeout. A live client answers the pings, so a silent
 * signaling socket in a call stays open while a half-open one goes. Confined to the server
 * instance's event loop.
 */
public final class WebSocketLiveness {

  private static final Buffer PING = Buffer.buffer("tandem");

  private final Map<ServerWebSocket, long[]> lastHeard = new HashMap<>();
  private final long idleMillis;
  private final long timer;
  private final Vertx vertx;

  /** Starts pinging every {@code idleMillis / 3}; call on the server instance's event loop. */
  public WebSocketLiveness(Vertx vertx, long idleMillis) {
    this.vertx = vertx;
    this.idleMillis = idleMillis;
    this.timer = vertx.setPeriodic(Math.max(20, idleMillis / 3), id -> sweep());
  }

  /** Watches {@code socket}; returns what to call whenever a frame of it arrives. */
  public Runnable watch(ServerWebSocket socket) {
    long[] heard = {System.currentTimeMillis()};
    lastHeard.put(socket, heard);
    return () -> heard[0] = System.currentTimeMillis();
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Iterator<Map.Entry<ServerWebSocket, long[]>> it = lastHeard.entrySet().iterator(); it.hasNext();) {
      Map.Entry<ServerWebSocket, long[]> e = it.next();
      ServerWebSocket s = e.getKey();
      if (s.isClosed()) {
        it.remove();
      } else if (now - e.getValue()[0] > idleMillis) {
        it.remove();
        s.close((short) 1001, "nothing heard for " + idleMillis + " ms");
      } else {
        s.writePing(PING);
      }
    }
  }

  public void stop() {
    vertx.cancelTimer(timer);
    lastHeard.clear();
  }
}
