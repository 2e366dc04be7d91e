package dev.tandem.presence;

import dev.tandem.ops.Settings;
import dev.tandem.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * presence-service's settings, each from an environment variable with a default.
 *
 * @param bootstrapServers Kafka ({@code TANDEM_KAFKA}, default {@code 127.0.0.1:9092})
 * @param topics topic name prefix ({@code TANDEM_TOPIC_PREFIX}, default {@code tandem})
 * @param groupId consumer group of all presence-service instances ({@code TANDEM_PRESENCE_GROUP},
 *     default {@code tandem-presence})
 * @param instanceId this instance ({@code TANDEM_INSTANCE}, default random)
 * @param ttl a gateway without a heartbeat for this long is taken for dead and its clients'
 *     presence expires ({@code TANDEM_PRESENCE_TTL_MS}, 15000; the gateways' setting must match)
 */
public record PresenceConfig(String bootstrapServers, Topics topics, String groupId, String instanceId, Duration ttl) {

  public static PresenceConfig fromEnv(Map<String, String> env) {
    return from(new Settings(env));
  }

  public static PresenceConfig from(Settings s) {
    return new PresenceConfig(
        s.text("TANDEM_KAFKA", "127.0.0.1:9092"),
        new Topics(s.text("TANDEM_TOPIC_PREFIX", "tandem")),
        s.text("TANDEM_PRESENCE_GROUP", "tandem-presence"),
        s.text("TANDEM_INSTANCE", "presence-" + UUID.randomUUID()),
        s.millis("TANDEM_PRESENCE_TTL_MS", 15_000, 1));
  }

  public PresenceConfig with(String kafka, Topics t, String group, String instance, Duration newTtl) {
    return new PresenceConfig(kafka, t, group, instance, newTtl);
  }
}
