package dev.tandem.gateway;

import dev.tandem.ops.Settings;
import dev.tandem.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The gateway's settings, each from an environment variable with a default.
 *
 * @param host address to listen on ({@code TANDEM_HOST}, default {@code 127.0.0.1})
 * @param port HTTP and WebSocket port ({@code TANDEM_PORT}, 8080)
 * @param bootstrapServers Kafka ({@code TANDEM_KAFKA}, {@code 127.0.0.1:9092})
 * @param topics topic prefix ({@code TANDEM_TOPIC_PREFIX}, {@code tandem})
 * @param instanceId this gateway, so ot-service's replies find it ({@code TANDEM_INSTANCE}, random)
 * @param maxMessageBytes largest client message accepted; a larger one gets
 *     {@code ERR_MESSAGE_TOO_LARGE} ({@code TANDEM_MAX_MESSAGE_BYTES}, 1 MiB)
 * @param maxMessagesPerSecond per connection; beyond it messages get {@code ERR_RATE_LIMITED}
 *     ({@code TANDEM_MAX_MESSAGES_PER_SECOND}, 500)
 * @param windowSize committed ops kept per open document, for clients catching up ({@code TANDEM_GATEWAY_WINDOW}, 1000; and at most 4 MiB of them besides the newest)
 * @param loadTimeout how long a document load may take before the client gets an error ({@code TANDEM_LOAD_TIMEOUT_MS}, 15000)
 * @param idleEvict documents nobody has used this long leave memory ({@code TANDEM_GATEWAY_IDLE_MS}, 60000)
 * @param presenceTtl a connection silent this long (no message, no pong) is closed and leaves
 *     presence; a gateway silent this long is taken for dead by presence-service
 *     ({@code TANDEM_PRESENCE_TTL_MS}, 15000)
 * @param presenceInterval at most one presence update per client presence per interval, the
 *     last value wins ({@code TANDEM_PRESENCE_INTERVAL_MS}, 40)
 * @param presenceBatch presence for one client is held this long and written together, one value
 *     per presence id, the latest: one socket write per tick instead of one per cursor move
 *     ({@code TANDEM_PRESENCE_BATCH_MS}, 15; 0 writes each at once)
 * @param maxPresenceBytes largest presence value accepted ({@code TANDEM_MAX_PRESENCE_BYTES}, 4096)
 * @param edgeLoops event loops reading and writing sockets ({@code TANDEM_GATEWAY_EVENT_LOOPS}, the
 *     number of cores)
 * @param limits what a connection and the gateway may hold ({@link EdgeLimits}, each from its own variable)
 * @param srcKey the key that signs the client ids this gateway issues ({@code TANDEM_SRC_KEY}); every
 *     gateway of an installation must share it, so a client that reconnects to another gateway keeps its
 *     identity and its resent ops still deduplicate. Unset: a random key for this process, so ids do not
 *     survive a restart (a reconnecting client then gets a fresh id and its resent op is refused; the
 *     sharedb client recovers by fetching). At least 16 characters.
 */
public record GatewayConfig(String host, int port, String bootstrapServers, Topics topics, String instanceId,
    int maxMessageBytes, int maxMessagesPerSecond, int windowSize, Duration loadTimeout, Duration idleEvict,
    Duration presenceTtl, Duration presenceInterval, Duration presenceBatch, int maxPresenceBytes, int edgeLoops,
    EdgeLimits limits, String srcKey) {

  public GatewayConfig {
    if (srcKey == null || srcKey.length() < 16) {
      throw new IllegalArgumentException("TANDEM_SRC_KEY must have at least 16 characters");
    }
  }

  public static GatewayConfig fromEnv(Map<String, String> env) {
    return from(new Settings(env));
  }

  public static GatewayConfig from(Settings s) {
    return new GatewayConfig(
        s.text("TANDEM_HOST", "127.0.0.1"),
        s.integer("TANDEM_PORT", 8080, 0, 65535),
        s.text("TANDEM_KAFKA", "127.0.0.1:9092"),
        new Topics(s.text("TANDEM_TOPIC_PREFIX", "tandem")),
        s.text("TANDEM_INSTANCE", "gw-" + UUID.randomUUID()),
        s.integer("TANDEM_MAX_MESSAGE_BYTES", 1024 * 1024, 1, 64 * 1024 * 1024),
        s.integer("TANDEM_MAX_MESSAGES_PER_SECOND", 500, 1, 1_000_000),
        s.integer("TANDEM_GATEWAY_WINDOW", 1000, 1, 1_000_000),
        s.millis("TANDEM_LOAD_TIMEOUT_MS", 15_000, 1),
        s.millis("TANDEM_GATEWAY_IDLE_MS", 60_000, 1),
        s.millis("TANDEM_PRESENCE_TTL_MS", 15_000, 1),
        s.millis("TANDEM_PRESENCE_INTERVAL_MS", 40, 0),
        s.millis("TANDEM_PRESENCE_BATCH_MS", 15, 0),
        s.integer("TANDEM_MAX_PRESENCE_BYTES", 4096, 1, 1024 * 1024),
        s.integer("TANDEM_GATEWAY_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 1024),
        EdgeLimits.from(s),
        s.text("TANDEM_SRC_KEY", randomKey()));
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key);
  }

  public GatewayConfig with(int newPort, String kafka, Topics newTopics, String instance) {
    return new GatewayConfig(host, newPort, kafka, newTopics, instance, maxMessageBytes, maxMessagesPerSecond, windowSize,
        loadTimeout, idleEvict, presenceTtl, presenceInterval, presenceBatch, maxPresenceBytes, edgeLoops,
        limits, srcKey);
  }

  public GatewayConfig withLimits(int maxBytes, int perSecond) {
    return new GatewayConfig(host, port, bootstrapServers, topics, instanceId, maxBytes, perSecond, windowSize, loadTimeout,
        idleEvict, presenceTtl, presenceInterval, presenceBatch, maxPresenceBytes, edgeLoops,
        limits, srcKey);
  }

  public GatewayConfig withEdgeLimits(EdgeLimits newLimits) {
    return new GatewayConfig(host, port, bootstrapServers, topics, instanceId, maxMessageBytes, maxMessagesPerSecond,
        windowSize, loadTimeout, idleEvict, presenceTtl, presenceInterval, presenceBatch, maxPresenceBytes, edgeLoops,
        newLimits, srcKey);
  }

  /** The same with {@code key} signing client ids: the hook for a server that persists its key. */
  public GatewayConfig withSrcKey(String key) {
    return new GatewayConfig(host, port, bootstrapServers, topics, instanceId, maxMessageBytes, maxMessagesPerSecond,
        windowSize, loadTimeout, idleEvict, presenceTtl, presenceInterval, presenceBatch, maxPresenceBytes, edgeLoops,
        limits, key);
  }

  public GatewayConfig withPresence(Duration ttl, Duration interval) {
    return new GatewayConfig(host, port, bootstrapServers, topics, instanceId, maxMessageBytes, maxMessagesPerSecond,
        windowSize, loadTimeout, idleEvict, ttl, interval, presenceBatch, maxPresenceBytes, edgeLoops,
        limits, srcKey);
  }

  /** Every setting but the key, which never goes to a log. */
  @Override
  public String toString() {
    return "GatewayConfig[host=" + host + ", port=" + port + ", kafka=" + bootstrapServers + ", topics=" + topics
        + ", instance=" + instanceId + ", maxMessageBytes=" + maxMessageBytes + ", maxMessagesPerSecond="
        + maxMessagesPerSecond + ", window=" + windowSize + ", loadTimeout=" + loadTimeout + ", idleEvict=" + idleEvict
        + ", presenceTtl=" + presenceTtl + ", presenceInterval=" + presenceInterval + ", presenceBatch=" + presenceBatch
        + ", maxPresenceBytes=" + maxPresenceBytes + ", edgeLoops=" + edgeLoops + ", limits=" + limits
        + ", srcKey=(hidden)]";
  }
}
