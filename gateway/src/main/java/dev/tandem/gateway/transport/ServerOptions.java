package dev.tandem.gateway.transport;

import dev.tandem.gateway.TransportConfig;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/** The gateway's HTTP server options: every transport limit in one place. */
public final class ServerOptions {

  private ServerOptions() {}

  /** Options for a server on {@code host:port} reading WebSocket messages up to {@code maxMessageBytes}. */
  public static HttpServerOptions of(String host, int port, int maxMessageBytes, TransportConfig transport) {
    return new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        // One frame may carry a whole message: browsers and the sharedb client send a message as
        // one frame, so a 64 KiB frame limit disconnected anyone pasting ~100k characters (1006).
        .setMaxWebSocketFrameSize(maxMessageBytes)
        // A larger message is not buffered: MessageLimit closes its socket with 1009.
        .setMaxWebSocketMessageSize(maxMessageBytes)
        // No permessage-deflate or deflate-frame: Vert.x 5.0 builds Netty's inflater without a
        // maxAllocation, so a 51 KB frame inflated to 50 MB on the event loop and the frame limit
        // only sees the compressed size. Measured here, 3 such frames on 3 sockets: /health took up
        // to 39.8 s with compression on, at most 0.34 s with it off. Offers of compression are
        // declined; a compressed frame (RSV1) is a protocol error and closes the socket (1002).
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // Request bodies are never inflated either (a gzip body could expand past the body limit).
        .setDecompressionSupported(false)
        // Nothing read or written for this long: closed (a slow ops stream keeps writing, so it is
        // not cut). WebSockets are pinged, so WebSocketLiveness judges them by what they send.
        .setIdleTimeout((int) transport.idleTimeout().toMillis())
        // Nothing written to the network for this long, though the connection had something to
        // write: closed at the TCP level. Every WebSocket is pinged three times per idle timeout,
        // so a socket whose writes all stall is one whose client does not read. Its close frame
        // queues behind what it does not read, so Vert.x's close handshake (and its closing
        // timeout, which starts once the close frame is written) never ends; this does.
        .setWriteIdleTimeout((int) transport.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // HTTP/1.1 only (WebSockets and plain requests): no h2c upgrade or prior-knowledge HTTP/2,
        // so every connection is set up, counted and timed by ConnectionGate from its first byte.
        // With h2c on, Vert.x waits for the first bytes before it makes the connection at all.
        .setHttp2ClearTextEnabled(false)
        // Thousands of clients reconnect at once after a network blip; let the kernel queue them.
        .setAcceptBacklog(4096)
        .setRegisterWebSocketWriteHandlers(false);
  }
}
