package dev.tandem.signal;

import dev.tandem.schemas.ClientLoop;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.SignalRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code tandem.signals} (every partition, from the end) on a thread of its own and hands
 * each poll's records, decoded, to {@code deliver}. A record that cannot be decoded is logged in
 * one line and skipped. Failures of the consumer are {@link ClientLoop}'s to sort: a new consumer
 * starts at the end of the log (signals are ephemeral: those published meanwhile are lost, as
 * they would be to a restarted instance). The thread ends only when stopped.
 */
final class SignalFeed implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(SignalFeed.class);

  private final SignalingConfig config;
  private final Consumer<List<SignalRecord>> deliver;
  private final AtomicLong skipped = new AtomicLong();
  private final ClientLoop loop;
  private volatile boolean positioned;
  private volatile long lastProgress = System.currentTimeMillis();
  /** The consumer {@link #position} opened, for the loop's first round. */
  private volatile Feed first;

  private final dev.tandem.ops.Telemetry telemetry;

  SignalFeed(SignalingConfig config, dev.tandem.ops.Telemetry telemetry, Consumer<List<SignalRecord>> deliver) {
    this.config = config;
    this.telemetry = telemetry;
    this.deliver = deliver;
    this.loop = new ClientLoop("signals feed " + config.instanceId(), () -> {
      Feed f = first;
      first = null;
      return f != null ? f : new Feed(open());
    });
  }

  /** Opens the consumer at the end of every partition; call once, before the thread starts. */
  void position() {
    first = new Feed(open());
  }

  /**
   * Positioned, and a poll ended within the instance TTL: a feed stalled that long misses the
   * other instances' heartbeats and would drop their peers.
   */
  boolean progressing() {
    return positioned() && System.currentTimeMillis() - lastProgress <= config.instanceTtl().toMillis();
  }

  boolean positioned() {
    return positioned && loop.running();
  }

  long skippedCount() {
    return skipped.get();
  }

  long restartCount() {
    return loop.restartCount();
  }

  @Override
  public void run() {
    loop.run();
  }

  /** One consumer, positioned at the end of every partition. */
  private final class Feed implements ClientLoop.Clients {
    private final KafkaConsumer<String, byte[]> consumer;
    private final dev.tandem.ops.Telemetry.Binding meters;

    Feed(KafkaConsumer<String, byte[]> consumer) {
      this.consumer = consumer;
      this.meters = telemetry.bind(consumer);
      positioned = true;
    }

    @Override
    public void pollOnce() {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
      if (!records.isEmpty()) {
        deliver.accept(decode(records));
      }
      lastProgress = System.currentTimeMillis();
    }

    @Override
    public void wakeup() {
      consumer.wakeup();
    }

    @Override
    public void close() {
      positioned = false;
      meters.close();
      try {
        consumer.close(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        LOG.warn("signals feed {}: closing the consumer: {}", config.instanceId(), e.toString());
      }
    }
  }

  private List<SignalRecord> decode(ConsumerRecords<String, byte[]> records) {
    List<SignalRecord> batch = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> r : records) {
      try {
        batch.add(Records.decode(r.value(), SignalRecord.class));
      } catch (MalformedRecordException | IllegalArgumentException e) {
        skipped.incrementAndGet();
        LOG.warn("signals feed skips record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      }
    }
    return batch;
  }

  /** Counts a record the hub could not process (skipped there). */
  void skippedByHub() {
    skipped.incrementAndGet();
  }

  private KafkaConsumer<String, byte[]> open() {
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
        ConsumerConfig.CLIENT_ID_CONFIG, config.instanceId() + "-signals-feed",
        // No group: every instance reads every partition; positions are not kept.
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        // Answered as soon as a signal arrives; the wait only sets how often an idle feed asks.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200),
        new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> all = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(config.topics().signals(), Duration.ofSeconds(30))) {
        all.add(new TopicPartition(p.topic(), p.partition()));
      }
      c.assign(all);
      c.seekToEnd(all);
      all.forEach(c::position);
      return c;
    } catch (KafkaException e) {
      c.close(Duration.ZERO);
      throw e;
    }
  }

  void stop(Duration timeout) throws InterruptedException {
    loop.stop(timeout);
  }
}
