package dev.tandem.otservice.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one partition of a topic from an offset to its stable end, outside any consumer group:
 * how an owner restores its store from the snapshots topic and replays the event log. Blocking;
 * call it from the thread that owns the partition, never inside a transaction of its own (the
 * loop opens none while it rebuilds).
 *
 * <p>The stable end is the high watermark as it is when the read starts, reached read_committed:
 * every transaction open at that moment (a previous owner's, finishing or being aborted) has
 * ended, so nothing it commits can land behind what the read has seen.
 */
final class PartitionReader implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);
  private final KafkaConsumer<String, byte[]> consumer;
  private final Admin admin;
  private final Duration stableWait;
  private final Runnable beat;

  /**
   * {@code stableWait}: how long to wait for transactions open at the start of a read to end;
   * {@code beat} is called while it waits (the reader is working, not stuck).
   */
  PartitionReader(String bootstrapServers, String clientId, Admin admin, Duration stableWait, Runnable beat) {
    this.admin = admin;
    this.stableWait = stableWait;
    this.beat = beat;
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.CLIENT_ID_CONFIG, clientId,
        // Only what committed transactions wrote is history; aborted attempts never happened.
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        // Assign mode, no group: nothing to commit.
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 * 1024 * 1024,
        // A fetch that reaches the end of what is stable parks at the broker this long (500 ms by
        // default) and holds up the next request on the connection (the broker answers one
        // request per connection at a time): a read that ends there should end at once.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Hands every committed record of {@code tp} from {@code from} to the stable end to {@code sink};
   * returns that end (smaller than {@code from} when {@code from} is past it: nothing is read).
   */
  long scan(TopicPartition tp, long from, Consumer<ConsumerRecord<String, byte[]>> sink) {
    consumer.assign(List.of(tp));
    try {
      long end = stableEnd(tp);
      if (from >= end) {
        return end;
      }
      consumer.seek(tp, from);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
          if (r.offset() >= end) {
            break;
          }
          sink.accept(r);
        }
      }
      return end;
    } finally {
      consumer.unsubscribe();
    }
  }

  /** The high watermark now, once read_committed reaches it (the partition must be assigned). */
  private long stableEnd(TopicPartition tp) {
    long highWatermark;
    try {
      highWatermark = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
          new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).partitionResult(tp).get(60, TimeUnit.SECONDS).offset();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new KafkaException("no end offset for " + tp + " within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted", e);
    }
    long deadline = System.nanoTime() + stableWait.toNanos();
    while (true) {
      long stable = consumer.endOffsets(List.of(tp)).get(tp);
      if (stable >= highWatermark) {
        return stable;
      }
      if (System.nanoTime() > deadline) {
        throw new KafkaException(tp + ": a transaction open before offset " + highWatermark + " did not end within "
            + stableWait.toSeconds() + " s (last stable offset " + stable + ")");
      }
      beat.run();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("interrupted", e);
      }
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
