package dev.tandem.otservice.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one partition of a topic from an offset to its end, outside any consumer group: how a
 * new owner rebuilds documents from snapshots and the event log. Blocking; call it from the
 * thread that owns the partition.
 */
final class PartitionReader implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);
  private final KafkaConsumer<String, byte[]> consumer;

  PartitionReader(String bootstrapServers, String clientId) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.CLIENT_ID_CONFIG, clientId,
        // Only what committed transactions wrote is history; aborted attempts never happened.
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        // Assign mode, no group: nothing to commit.
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 * 1024 * 1024),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** The offset after the last committed record of {@code tp}. */
  long end(TopicPartition tp) {
    return consumer.endOffsets(List.of(tp)).get(tp);
  }

  /** Hands every record of {@code tp} from {@code from} to the end, as the end is now, to {@code sink}. */
  long scan(TopicPartition tp, long from, Consumer<ConsumerRecord<String, byte[]>> sink) {
    long end = end(tp);
    if (from >= end) {
      return end;
    }
    consumer.assign(List.of(tp));
    consumer.seek(tp, from);
    while (consumer.position(tp) < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
        if (r.offset() >= end) {
          break;
        }
        sink.accept(r);
      }
    }
    consumer.unsubscribe();
    return end;
  }

  /** The record at {@code offset} of {@code tp}, or null when compaction has removed it. */
  ConsumerRecord<String, byte[]> read(TopicPartition tp, long offset) {
    long end = end(tp);
    if (offset >= end) {
      return null;
    }
    consumer.assign(List.of(tp));
    consumer.seek(tp, offset);
    try {
      while (consumer.position(tp) <= offset) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
          if (r.offset() >= offset) {
            return r.offset() == offset ? r : null;
          }
        }
      }
      return null;
    } finally {
      consumer.unsubscribe();
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
