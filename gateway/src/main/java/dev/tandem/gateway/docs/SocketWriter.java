package dev.tandem.gateway.docs;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes finished frames ({@link SharedText}) to one socket and keeps its outbound byte budget.
 *
 * <p>Frames go to the socket's Netty channel as raw bytes (a text frame with its header, encoded
 * once for every receiver), so a batch of presence is one write; Netty's public types only. The
 * channel itself Vert.x hands out only through {@code io.vertx.core.internal.http.WebSocketInternal}
 * (Vert.x's API for its own modules, not its {@code impl} classes); this is the one place that
 * touches it. When a socket is not such a {@code WebSocketInternal}, every frame goes through
 * Vert.x's public {@code writeTextMessage} instead, in order, with the same budget.
 *
 * <p>Every write is counted until the network has taken it. A client whose queued bytes go over
 * the budget is not reading: {@code overBudget} runs once, and the socket is closed (the
 * connection is closed with a code first; the channel itself a second later, which drops what
 * it still queued). Thread-safe.
 */
final class SocketWriter {

  private static final long HARD_CLOSE_AFTER_MS = 1_000;

  private final ServerWebSocket socket;
  private final ChannelHandlerContext channel;
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
    this.channel = socket instanceof WebSocketInternal ws ? ws.channelHandlerContext() : null;
    this.budget = budget;
    this.overBudget = overBudget;
  }

  /** Bytes written and not yet taken by the network. */
  long queuedBytes() {
    return queued.get();
  }

  /** Whether the socket takes more without queueing (Netty's writability; Vert.x's write queue). */
  boolean draining() {
    return channel != null ? channel.channel().isWritable() : !socket.writeQueueFull();
  }

  /** Writes one frame; false when the socket went over its budget (and is being closed). */
  boolean write(SharedText frame) {
    if (!reserve(frame.wireLength())) {
      return false;
    }
    if (channel == null) {
      int n = frame.wireLength();
      socket.writeTextMessage(frame.text()).onComplete(x -> release(n));
      return true;
    }
    ByteBuf buf = channel.alloc().buffer(frame.wireLength());
    frame.writeTo(buf);
    send(buf, frame.wireLength());
    return true;
  }

  /** Writes frames as one buffer; false when over the budget. */
  boolean write(Collection<SharedText> frames) {
    if (channel == null) {
      for (SharedText f : frames) {
        if (!write(f)) {
          return false;
        }
      }
      return true;
    }
    int size = 0;
    for (SharedText f : frames) {
      size += f.wireLength();
    }
    if (!reserve(size)) {
      return false;
    }
    ByteBuf batch = channel.alloc().buffer(size);
    frames.forEach(f -> f.writeTo(batch));
    send(batch, size);
    return true;
  }

  private void send(ByteBuf buf, int size) {
    channel.writeAndFlush(buf).addListener(f -> release(size));
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

  /** Closes with {@code code}; a client that does not read would never see it, so the channel goes too. */
  void close(short code, String reason) {
    if (!socket.isClosed()) {
      socket.close(code, reason);
    }
    if (channel != null) {
      channel.executor().schedule(() -> {
        // Vert.x may have closed it meanwhile (the close handshake finished): closing twice
        // completes its close promise twice, which Netty logs as a warning.
        if (channel.channel().isOpen()) {
          channel.channel().close();
        }
      }, HARD_CLOSE_AFTER_MS, TimeUnit.MILLISECONDS);
    }
  }
}
