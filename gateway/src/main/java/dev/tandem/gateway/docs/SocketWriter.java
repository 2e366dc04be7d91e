package dev.tandem.gateway.docs;

import io.vertx.core.http.ServerWebSocket;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes text messages ({@link SharedText}) to one socket and keeps its outbound byte budget,
 * through Vert.x's public WebSocket API only.
 *
 * <p>Every write is counted, in wire bytes, until the network has taken it (Vert.x completes a
 * write's future once Netty has written it to the socket). A client whose queued bytes go over the
 * budget is not reading: {@code overBudget} runs once, nothing more is written, and the connection
 * is closed with a code ({@link #close}). A client that does not read never reads that close
 * either, and Vert.x's closing timeout starts only once the close frame is written: the server's
 * write idle timeout ({@code ServerOptions}) closes the TCP connection, which frees what it still
 * queued. Thread-safe.
 */
final class SocketWriter {

  private final ServerWebSocket socket;
  private final long budget;
  private final AtomicLong queued = new AtomicLong();
  private volatile boolean over;
  private final Runnable overBudget;
  private final OutboundBytes total;

  SocketWriter(ServerWebSocket socket, long budget, Runnable overBudget) {
    this(socket, budget, new OutboundBytes(), overBudget);
  }

  /** A writer whose queued bytes also count in {@code total}, the gateway's sum over its sockets. */
  SocketWriter(ServerWebSocket socket, long budget, OutboundBytes total, Runnable overBudget) {
    this.socket = socket;
    this.total = total;
    this.budget = budget;
    this.overBudget = overBudget;
  }

  /** Bytes written and not yet taken by the network. */
  long queuedBytes() {
    return queued.get();
  }

  /** Whether the socket takes more without queueing (Vert.x's write queue). */
  boolean draining() {
    return !socket.writeQueueFull();
  }

  /** Writes one message; false when the socket went over its budget (and is being closed). */
  boolean write(SharedText message) {
    int n = message.wireLength();
    if (!reserve(n)) {
      return false;
    }
    socket.writeTextMessage(message.text()).onComplete(x -> release(n));
    return true;
  }

  /** Writes messages in order; false when over the budget. */
  boolean write(Collection<SharedText> messages) {
    int size = 0;
    for (SharedText m : messages) {
      size += m.wireLength();
    }
    if (!reserve(size)) {
      return false;
    }
    for (SharedText m : messages) {
      int n = m.wireLength();
      socket.writeTextMessage(m.text()).onComplete(x -> release(n));
    }
    return true;
  }

  private boolean reserve(int bytes) {
    if (over) {
      return false;
    }
    if (queued.addAndGet(bytes) > budget) {
      queued.addAndGet(-bytes);
      over = true;
      overBudget.run();
      return false;
    }
    total.add(bytes);
    return true;
  }

  private void release(int bytes) {
    queued.addAndGet(-bytes);
    total.add(-bytes);
  }

  /** Closes with {@code code} (once). */
  void close(short code, String reason) {
    if (!socket.isClosed()) {
      socket.close(code, reason);
    }
  }
}
