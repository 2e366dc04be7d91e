package dev.tandem.signal;

import dev.tandem.schemas.Topics;
import java.time.Duration;
import java.util.Arrays;
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
    return new SignalingConfig(
        env.getOrDefault("TANDEM_KAFKA", "127.0.0.1:9092"),
        new Topics(env.getOrDefault("TANDEM_TOPIC_PREFIX", "tandem")),
        env.getOrDefault("TANDEM_INSTANCE", "sig-" + UUID.randomUUID()),
        Integer.parseInt(env.getOrDefault("TANDEM_SIGNAL_ROOM_CAPACITY", "16")),
        Integer.parseInt(env.getOrDefault("TANDEM_SIGNAL_MAX_MESSAGE_BYTES", "65536")),
        Integer.parseInt(env.getOrDefault("TANDEM_SIGNAL_MESSAGES_PER_SECOND", "100")),
        Duration.ofMillis(Long.parseLong(env.getOrDefault("TANDEM_SIGNAL_RESUME_MS", "15000"))),
        Duration.ofMillis(Long.parseLong(env.getOrDefault("TANDEM_SIGNAL_TTL_MS", "10000"))),
        env.get("TANDEM_TURN_SECRET"),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("TANDEM_TURN_TTL_S", "3600"))),
        list(env.getOrDefault("TANDEM_TURN_URLS", "turn:127.0.0.1:3478")),
        list(env.getOrDefault("TANDEM_STUN_URLS", "stun:127.0.0.1:3478")));
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
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
