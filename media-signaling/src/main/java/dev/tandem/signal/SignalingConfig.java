package dev.tandem.signal;

import dev.tandem.ops.Settings;
import dev.tandem.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * media-signaling's settings, each from an environment variable with a default.
 *
 * @param bootstrapServers Kafka ({@code TANDEM_KAFKA})
 * @param topics topic prefix ({@code TANDEM_TOPIC_PREFIX})
 * @param instanceId this instance ({@code TANDEM_INSTANCE}, random)
 * @param roomCapacity peers per room; one more gets {@code ROOM_FULL} ({@code TANDEM_SIGNAL_ROOM_CAPACITY}, 16)
 * @param maxMessageBytes largest client message ({@code TANDEM_SIGNAL_MAX_MESSAGE_BYTES}, 65536)
 * @param messagesPerSecond per connection, bursts of twice that ({@code TANDEM_SIGNAL_MESSAGES_PER_SECOND}, 100)
 * @param resumeGrace how long a dropped peer keeps its place for a resume ({@code TANDEM_SIGNAL_RESUME_MS}, 15000)
 * @param instanceTtl an instance without heartbeats this long is gone, its peers leave ({@code TANDEM_SIGNAL_TTL_MS}, 10000)
 * @param turnSecret coturn's {@code static-auth-secret} ({@code TANDEM_TURN_SECRET}; none: no TURN servers offered)
 * @param turnTtl lifetime of TURN credentials ({@code TANDEM_TURN_TTL_S}, 3600 s)
 * @param turnUrls TURN URIs, comma-separated ({@code TANDEM_TURN_URLS}, {@code turn:127.0.0.1:3478})
 * @param stunUrls STUN URIs, comma-separated ({@code TANDEM_STUN_URLS}, {@code stun:127.0.0.1:3478})
 */
public record SignalingConfig(String bootstrapServers, Topics topics, String instanceId, int roomCapacity,
    int maxMessageBytes, int messagesPerSecond, Duration resumeGrace, Duration instanceTtl, String turnSecret,
    Duration turnTtl, List<String> turnUrls, List<String> stunUrls) {

  public static SignalingConfig fromEnv(Map<String, String> env) {
    return from(new Settings(env));
  }

  public static SignalingConfig from(Settings s) {
    return new SignalingConfig(
        s.text("TANDEM_KAFKA", "127.0.0.1:9092"),
        new Topics(s.text("TANDEM_TOPIC_PREFIX", "tandem")),
        s.text("TANDEM_INSTANCE", "sig-" + UUID.randomUUID()),
        s.integer("TANDEM_SIGNAL_ROOM_CAPACITY", 16, 1, 10_000),
        s.integer("TANDEM_SIGNAL_MAX_MESSAGE_BYTES", 65_536, 1, 16 * 1024 * 1024),
        s.integer("TANDEM_SIGNAL_MESSAGES_PER_SECOND", 100, 1, 1_000_000),
        s.millis("TANDEM_SIGNAL_RESUME_MS", 15_000, 0),
        s.millis("TANDEM_SIGNAL_TTL_MS", 10_000, 1),
        s.optional("TANDEM_TURN_SECRET").orElse(null),
        s.seconds("TANDEM_TURN_TTL_S", 3600, 1),
        s.list("TANDEM_TURN_URLS", "turn:127.0.0.1:3478"),
        s.list("TANDEM_STUN_URLS", "stun:127.0.0.1:3478"));
  }

  public SignalingConfig with(String kafka, Topics t, String instance) {
    return new SignalingConfig(kafka, t, instance, roomCapacity, maxMessageBytes, messagesPerSecond, resumeGrace,
        instanceTtl, turnSecret, turnTtl, turnUrls, stunUrls);
  }

  public SignalingConfig withLimits(int capacity, int maxBytes, int perSecond, Duration grace) {
    return new SignalingConfig(bootstrapServers, topics, instanceId, capacity, maxBytes, perSecond, grace, instanceTtl,
        turnSecret, turnTtl, turnUrls, stunUrls);
  }

  public SignalingConfig withTurn(String secret, Duration ttl, List<String> turn, List<String> stun) {
    return new SignalingConfig(bootstrapServers, topics, instanceId, roomCapacity, maxMessageBytes, messagesPerSecond,
        resumeGrace, instanceTtl, secret, ttl, turn, stun);
  }
}
