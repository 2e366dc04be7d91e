package dev.tandem.otservice;

import dev.tandem.otservice.state.DocLimits;
import dev.tandem.ops.Settings;
import dev.tandem.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * ot-service's settings, each from an environment variable with a default.
 *
 * @param bootstrapServers Kafka ({@code TANDEM_KAFKA}, default {@code 127.0.0.1:9092})
 * @param topics topic name prefix ({@code TANDEM_TOPIC_PREFIX}, default {@code tandem})
 * @param groupId consumer group of all ot-service instances ({@code TANDEM_OT_GROUP}, default {@code tandem-ot})
 * @param instanceId this instance, part of its transactional id ({@code TANDEM_INSTANCE}, default random);
 *     a restarted instance with the same id fences its previous self
 * @param windowSize committed ops kept per document for transforms ({@code TANDEM_OT_WINDOW}, 1000; and at most 4 MiB of them besides the newest)
 * @param snapshotEvery a snapshot every this many versions ({@code TANDEM_SNAPSHOT_EVERY}, 100)
 * @param flushInterval snapshots of changed documents and a checkpoint this often ({@code TANDEM_FLUSH_MS}, 5000)
 * @param idleEvict documents unused this long leave memory ({@code TANDEM_IDLE_EVICT_MS}, 300000)
 * @param maxResidentDocs at most this many documents in memory per instance ({@code TANDEM_MAX_DOCS}, 20000)
 * @param limits what a document may become: {@code TANDEM_MAX_DOC_DEPTH} (json0 nesting, 100; at
 *     most 900, so that every record holding a document stays under Jackson's 1,000-level read
 *     and write limits) and {@code TANDEM_MAX_DOC_BYTES} (serialized size, 8 MiB; at most 15 MiB,
 *     so that a snapshot record fits the 16 MiB the topics and the producer allow)
 */
public record OtServiceConfig(String bootstrapServers, Topics topics, String groupId, String instanceId, int windowSize,
    int snapshotEvery, Duration flushInterval, Duration idleEvict, int maxResidentDocs, DocLimits limits, Path stateDir) {

  public static OtServiceConfig fromEnv(Map<String, String> env) {
    return from(new Settings(env));
  }

  public static OtServiceConfig from(Settings s) {
    String instance = s.text("TANDEM_INSTANCE", "ot-" + UUID.randomUUID());
    return new OtServiceConfig(
        s.text("TANDEM_KAFKA", "127.0.0.1:9092"),
        new Topics(s.text("TANDEM_TOPIC_PREFIX", "tandem")),
        s.text("TANDEM_OT_GROUP", "tandem-ot"),
        instance,
        s.integer("TANDEM_OT_WINDOW", 1000, 1, 1_000_000),
        s.integer("TANDEM_SNAPSHOT_EVERY", 100, 1, 1_000_000),
        s.millis("TANDEM_FLUSH_MS", 5000, 1),
        s.millis("TANDEM_IDLE_EVICT_MS", 300_000, 1),
        s.integer("TANDEM_MAX_DOCS", 20_000, 1, 100_000_000),
        new DocLimits(
            s.integer("TANDEM_MAX_DOC_DEPTH", DocLimits.DEFAULT.maxDepth(), 1, 900),
            s.whole("TANDEM_MAX_DOC_BYTES", DocLimits.DEFAULT.maxBytes(), 1024, 15L * 1024 * 1024)),
        Path.of(s.text("TANDEM_OT_STATE_DIR",
            Path.of(System.getProperty("java.io.tmpdir"), "tandem-ot-state", instance).toString())));
  }

  public OtServiceConfig withKafka(String bootstrap) {
    return new OtServiceConfig(bootstrap, topics, groupId, instanceId, windowSize, snapshotEvery, flushInterval, idleEvict,
        maxResidentDocs, limits, stateDir);
  }

  public OtServiceConfig withTopics(Topics t) {
    return new OtServiceConfig(bootstrapServers, t, groupId, instanceId, windowSize, snapshotEvery, flushInterval, idleEvict,
        maxResidentDocs, limits, stateDir);
  }

  public OtServiceConfig withInstance(String id) {
    return new OtServiceConfig(bootstrapServers, topics, groupId, id, windowSize, snapshotEvery, flushInterval, idleEvict,
        maxResidentDocs, limits, stateDir);
  }

  public OtServiceConfig withGroup(String group) {
    return new OtServiceConfig(bootstrapServers, topics, group, instanceId, windowSize, snapshotEvery, flushInterval,
        idleEvict, maxResidentDocs, limits, stateDir);
  }

  public OtServiceConfig withFlushInterval(Duration d) {
    return new OtServiceConfig(bootstrapServers, topics, groupId, instanceId, windowSize, snapshotEvery, d, idleEvict,
        maxResidentDocs, limits, stateDir);
  }

  public OtServiceConfig withLimits(DocLimits l) {
    return new OtServiceConfig(bootstrapServers, topics, groupId, instanceId, windowSize, snapshotEvery, flushInterval,
        idleEvict, maxResidentDocs, l, stateDir);
  }

  /** The same settings with the store under {@code dir}; an instance id changed later moves nothing. */
  public OtServiceConfig withStateDir(Path dir) {
    return new OtServiceConfig(bootstrapServers, topics, groupId, instanceId, windowSize, snapshotEvery, flushInterval,
        idleEvict, maxResidentDocs, limits, dir);
  }

  /** The same settings with at most {@code max} documents resident, unused ones leaving after {@code idle}. */
  public OtServiceConfig withResidency(int max, Duration idle) {
    return new OtServiceConfig(bootstrapServers, topics, groupId, instanceId, windowSize, snapshotEvery, flushInterval,
        idle, max, limits, stateDir);
  }
}
