package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incarnation of ot-service's Kafka clients: two transactional producers taken in turn, the
 * group consumer on {@code tandem.ops.submitted}, the two readers a rebuild uses and an admin
 * client for end offsets. Every setting that matters carries its reason. A fatal error closes them
 * all and opens a fresh set.
 *
 * <p>Order matters: {@code initTransactions} runs (on both) before anything reads, so the previous
 * incarnation's open transaction (same transactional ids) is aborted before a read_committed
 * reader could wait behind it; the consumer subscribes last.
 */
final class KafkaClients implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaClients.class);
  /** The largest record the producer sends, as the topics allow ({@code Topics.ensure}). */
  static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  /**
   * Two transactional producers, one transaction at a time, taking turns ({@link #begin}). A
   * producer's next transaction cannot add a partition until the coordinator has written its
   * previous commit's markers, a few milliseconds after {@code commitTransaction} returns; the
   * other producer's transaction need not wait for them. Order is kept all the same: a
   * transaction begins only after the one before it committed, so its records follow in every
   * partition, and read_committed readers see them only after those markers.
   */
  private final List<KafkaProducer<String, byte[]>> producers;
  private int next;
  private KafkaProducer<String, byte[]> current;
  final KafkaConsumer<String, byte[]> consumer;
  /** Reads the snapshots topic into the local stores. */
  final PartitionReader snapshots;
  /** Reads the event log during a rebuild. */
  final PartitionReader log;
  private final Admin admin;

  /**
   * How long a rebuild waits for a transaction that was open when it started (a previous
   * owner's, with another transactional id, that crashed): the broker aborts it after the
   * producer's {@code transaction.timeout.ms} (60 s by default) at its next check (every 10 s).
   */
  static final Duration STABLE_WAIT = Duration.ofSeconds(90);

  private KafkaClients(List<KafkaProducer<String, byte[]>> producers, KafkaConsumer<String, byte[]> consumer,
      PartitionReader snapshots, PartitionReader log, Admin admin) {
    this.producers = producers;
    this.consumer = consumer;
    this.snapshots = snapshots;
    this.log = log;
    this.admin = admin;
  }

  /** Opens the clients ({@code beat}: the readers are working, while they wait for a stable end), fences this instance's previous incarnation and subscribes with {@code listener}. */
  static KafkaClients open(OtServiceConfig config, ConsumerRebalanceListener listener, Runnable beat) {
    Admin admin = Admin.create(Map.of("bootstrap.servers", config.bootstrapServers()));
    List<KafkaProducer<String, byte[]>> producers = new ArrayList<>();
    try {
      for (String suffix : List.of("", "-b")) {
        producers.add(new KafkaProducer<>(producerConfig(config, admin, "tandem-ot-" + config.instanceId() + suffix),
            new StringSerializer(), new ByteArraySerializer()));
      }
      producers.forEach(KafkaProducer::initTransactions);
      KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(),
          new ByteArrayDeserializer());
      KafkaClients clients = new KafkaClients(List.copyOf(producers), consumer,
          new PartitionReader(config.bootstrapServers(), config.instanceId() + "-snapshots", admin, STABLE_WAIT, beat),
          new PartitionReader(config.bootstrapServers(), config.instanceId() + "-log", admin, STABLE_WAIT, beat), admin);
      consumer.subscribe(List.of(config.topics().submitted()), listener);
      return clients;
    } catch (RuntimeException e) {
      producers.forEach(p -> p.close(Duration.ofSeconds(5)));
      admin.close(Duration.ofSeconds(5));
      throw e;
    }
  }

  /** Begins a transaction on the producer whose turn it is, and returns it. */
  KafkaProducer<String, byte[]> begin() {
    current = producers.get(next);
    next = (next + 1) % producers.size();
    current.beginTransaction();
    return current;
  }

  /** The producer of the transaction begun last (null before the first). */
  KafkaProducer<String, byte[]> current() {
    return current;
  }

  List<KafkaProducer<String, byte[]>> producers() {
    return producers;
  }

  private static Map<String, Object> producerConfig(OtServiceConfig config, Admin admin, String transactionalId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    // Stable ids per instance: a restarted instance fences its previous incarnation.
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    // Exactly once needs both, set explicitly rather than implied.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // No linger: the loop flushes right after sending a poll's commits, so they go out together
    // anyway, and a linger only delayed every transaction (1 ms of each, serially).
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // With transactions v2 a data batch may be refused with CONCURRENT_TRANSACTIONS while the
    // previous commit's markers are written; its retry must not be overtaken by the batches
    // behind it, or the broker sees sequences out of order: one request in flight. With v1 the
    // idempotent producer keeps order with five in flight.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, transactionVersion(admin) >= 2 ? 1 : 5);
    // That refusal clears within milliseconds, when the markers are written; the default 100 ms
    // backoff before the retry would stall every transaction that follows a commit. A flat 1 ms
    // catches the moment sooner (hot document, warm: 3,265 -> 3,404 ops/s).
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 1);
    p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1);
    // As large as the topics' max.message.bytes: a snapshot of a document at its size limit fits.
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
    // Batches are small and frequent (one transaction per poll): compressing each costs more CPU
    // on both ends than it saves (measured: LZ4 setup per batch showed in the profile).
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    return p;
  }

  private static Map<String, Object> consumerConfig(OtServiceConfig config) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.instanceId());
    // Offsets are committed only inside our transactions, never by a timer.
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A submitted op written by an aborted gateway transaction never reaches us.
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    // Taking over a busy partition replays its log since the checkpoint inside poll().
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
    // A dead instance's partitions move on after 6 s, the least a broker allows by default
    // (group.min.session.timeout.ms): ClusterKillTest measured a 9.9 s stall of the dead one's
    // documents with 10 s. Heartbeats come from the client's own thread, so a long rebuild
    // inside poll() does not count against it (max.poll.interval.ms does).
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
    return c;
  }

  /** The cluster's finalized transaction protocol version (1 when the feature is absent). */
  private static int transactionVersion(Admin admin) {
    try {
      var range = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS)
          .finalizedFeatures().get("transaction.version");
      return range == null ? 1 : range.maxVersionLevel();
    } catch (Exception e) {
      LOG.warn("cannot read the cluster's transaction.version; assuming 2 (the careful setting)", e);
      return 2;
    }
  }

  @Override
  public void close() {
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.debug("consumer close", e);
    }
    for (KafkaProducer<String, byte[]> p : producers) {
      try {
        p.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.debug("producer close", e);
      }
    }
    snapshots.close();
    log.close();
    admin.close(Duration.ofSeconds(5));
  }
}
