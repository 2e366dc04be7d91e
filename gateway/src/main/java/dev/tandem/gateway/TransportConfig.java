package dev.tandem.gateway;

import dev.tandem.ops.Settings;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;

/**
 * Limits of the HTTP and WebSocket transport and of whole-content PUT, each from an environment
 * variable with a default. The protocol's message limit is {@link GatewayConfig#maxMessageBytes()}
 * (a larger message is answered {@code ERR_MESSAGE_TOO_LARGE} on a connection that stays open);
 * the transport reads messages, in one frame or many, up to {@code maxWebSocketMessageBytes}.
 *
 * @param maxWebSocketMessageBytes the largest WebSocket message, and frame, read at all: one past it
 *     closes its socket with 1009 before more of it is buffered (a 5 MB message once got neither a
 *     reply nor a close). Up to it, a message over the protocol's limit is read and answered with
 *     an error, so a person who pastes too much keeps the connection and their client rolls the op
 *     back. It bounds what one socket can make the server buffer; never below the protocol's limit
 *     ({@code TANDEM_WS_MAX_MESSAGE_BYTES}, 4 MiB: four times the default message limit)
 * @param idleTimeout an HTTP connection with nothing read or written for this long is closed, and so
 *     is a WebSocket from which no frame (pongs included) arrives for this long: half-open and
 *     forgotten keep-alive connections otherwise hold a descriptor for ever (about 20,500 idle
 *     sockets exhausted the descriptors and the embedded Kafka stopped the JVM). Every WebSocket is
 *     pinged three times per timeout, so a live client stays ({@code TANDEM_IDLE_TIMEOUT_MS}, 60000)
 * @param handshakeTimeout a connection that has not sent a complete request head (an HTTP request or
 *     a WebSocket upgrade) within this time is closed, so slow-header clients cannot hold
 *     descriptors while trickling bytes under the idle timeout ({@code TANDEM_HANDSHAKE_TIMEOUT_MS}, 10000)
 * @param bodyTimeout the body of a whole-content PUT must have arrived this long after its head, or the
 *     connection is closed: a body trickled a byte at a time stays under the idle timeout and
 *     would hold the connection and a PUT's place for ever ({@code TANDEM_BODY_TIMEOUT_MS}, 30000:
 *     a 1 MiB body at 1 Mbit/s takes about 8 s)
 * @param maxConnections open HTTP and WebSocket connections per server; beyond it a connection is
 *     answered 503 (or its upgrade refused with 503) and closed. The default keeps half of the
 *     process's descriptor limit for the embedded broker's segments and sockets, at most 10,000
 *     ({@code TANDEM_MAX_CONNECTIONS}; with {@code ulimit -n} 20000 the default is 10000)
 * @param maxDiffChars whole-content PUT: when the changed middle of the text (after the common
 *     prefix and suffix are set aside) is longer than this, old plus new, in code points, it is
 *     replaced as a whole instead of diffed: the Myers diff costs O((N+M)·D) and 40k characters
 *     took over 30 s ({@code TANDEM_PUT_DIFF_MAX_CHARS}, 20000)
 * @param diffTimeout whole-content PUT: a diff running longer than this is abandoned and the
 *     changed middle replaced as a whole ({@code TANDEM_PUT_DIFF_TIMEOUT_MS}, 500)
 * @param diffThreads threads that run diffs, apart from Vert.x's worker pool so a burst of PUTs never
 *     starves history reads ({@code TANDEM_PUT_DIFF_THREADS}, 2)
 * @param maxConcurrentPuts whole-content PUTs in progress per gateway; more are answered 429
 *     ({@code TANDEM_PUT_CONCURRENCY}, 16)
 * @param maxOpsStreams {@code GET .../ops} streams in progress per gateway; more are answered 429.
 *     Each holds one of the 20 threads of Vert.x's worker pool, which every blocking call shares,
 *     while the client reads ({@code TANDEM_OPS_STREAMS}, 8)
 */
public record TransportConfig(int maxWebSocketMessageBytes, Duration idleTimeout, Duration handshakeTimeout,
    Duration bodyTimeout, int maxConnections, int maxDiffChars, Duration diffTimeout, int diffThreads,
    int maxConcurrentPuts, int maxOpsStreams) {

  public TransportConfig {
    require(maxWebSocketMessageBytes > 0, "TANDEM_WS_MAX_MESSAGE_BYTES must be positive");
    require(idleTimeout.toMillis() > 0, "TANDEM_IDLE_TIMEOUT_MS must be positive");
    require(handshakeTimeout.toMillis() > 0, "TANDEM_HANDSHAKE_TIMEOUT_MS must be positive");
    require(bodyTimeout.toMillis() > 0, "TANDEM_BODY_TIMEOUT_MS must be positive");
    require(maxConnections > 0, "TANDEM_MAX_CONNECTIONS must be positive");
    require(maxDiffChars >= 0, "TANDEM_PUT_DIFF_MAX_CHARS must be >= 0");
    require(diffTimeout.toMillis() > 0, "TANDEM_PUT_DIFF_TIMEOUT_MS must be positive");
    require(diffThreads > 0, "TANDEM_PUT_DIFF_THREADS must be positive");
    require(maxConcurrentPuts > 0, "TANDEM_PUT_CONCURRENCY must be positive");
    require(maxOpsStreams > 0, "TANDEM_OPS_STREAMS must be positive");
  }

  public static TransportConfig fromEnv(Map<String, String> env) {
    return from(new Settings(env));
  }

  public static TransportConfig from(Settings s) {
    return new TransportConfig(
        s.integer("TANDEM_WS_MAX_MESSAGE_BYTES", 4 * 1024 * 1024, 1, 256 * 1024 * 1024),
        s.millis("TANDEM_IDLE_TIMEOUT_MS", 60_000, 1),
        s.millis("TANDEM_HANDSHAKE_TIMEOUT_MS", 10_000, 1),
        s.millis("TANDEM_BODY_TIMEOUT_MS", 30_000, 1),
        s.integer("TANDEM_MAX_CONNECTIONS", defaultMaxConnections(), 1, 10_000_000),
        s.integer("TANDEM_PUT_DIFF_MAX_CHARS", 20_000, 0, Integer.MAX_VALUE),
        s.millis("TANDEM_PUT_DIFF_TIMEOUT_MS", 500, 1),
        s.integer("TANDEM_PUT_DIFF_THREADS", 2, 1, 1024),
        s.integer("TANDEM_PUT_CONCURRENCY", 16, 1, 100_000),
        s.integer("TANDEM_OPS_STREAMS", 8, 1, 100_000));
  }

  /** Half the process's descriptor limit, at most 10,000 (10,000 when the limit is unknown). */
  static int defaultMaxConnections() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long max = unix.getMaxFileDescriptorCount();
      if (max > 0) {
        return (int) Math.max(64, Math.min(10_000, max / 2));
      }
    }
    return 10_000;
  }

  public TransportConfig withTimeouts(Duration idle, Duration handshake, Duration body) {
    return new TransportConfig(maxWebSocketMessageBytes, idle, handshake, body, maxConnections, maxDiffChars,
        diffTimeout, diffThreads, maxConcurrentPuts, maxOpsStreams);
  }

  public TransportConfig withMaxConnections(int max) {
    return new TransportConfig(maxWebSocketMessageBytes, idleTimeout, handshakeTimeout, bodyTimeout, max, maxDiffChars,
        diffTimeout, diffThreads, maxConcurrentPuts, maxOpsStreams);
  }

  public TransportConfig withPutLimits(int maxChars, Duration timeout, int threads, int concurrent) {
    return new TransportConfig(maxWebSocketMessageBytes, idleTimeout, handshakeTimeout, bodyTimeout, maxConnections,
        maxChars, timeout, threads, concurrent, maxOpsStreams);
  }

  public TransportConfig withMaxWebSocketMessageBytes(int max) {
    return new TransportConfig(max, idleTimeout, handshakeTimeout, bodyTimeout, maxConnections, maxDiffChars,
        diffTimeout, diffThreads, maxConcurrentPuts, maxOpsStreams);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
