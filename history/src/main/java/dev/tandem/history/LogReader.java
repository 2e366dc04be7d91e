package dev.tandem.history;

import dev.tandem.schemas.DocKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads partitions of Tandem's topics from any offset, outside any consumer group, seeing only
 * what committed transactions wrote. Blocking; not thread-safe; one per reader thread.
 */
public final class LogReader implements AutoCloseable {

  /** What a scan hands each record to; returning false stops the scan. */
  @FunctionalInterface
  public interface Sink {
    boolean accept(ConsumerRecord<String, byte[]> record);
  }

  private static final Duration POLL = Duration.ofMillis(200);
  private final KafkaConsumer<String, byte[]> consumer;
  private final String bootstrap;

  public LogReader(String bootstrapServers) {
    this.bootstrap = bootstrapServers;
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.CLIENT_ID_CONFIG, "tandem-history-" + Long.toString(System.nanoTime(), 36),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
        // A scan reads what is there up to an end offset, never waits for more: a fetch left
        // waiting on the partition just finished (the default waits 500 ms) would hold up the
        // first poll of the next one, the broker taking one fetch per connection at a time.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024,
        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** The partitions of {@code topic}; a clear error when Kafka does not answer or the topic is missing. */
  public int partitions(String topic) {
    List<PartitionInfo> info;
    try {
      info = consumer.partitionsFor(topic, Duration.ofSeconds(8));
    } catch (TimeoutException e) {
      throw new HistoryException(HistoryException.Kind.UNREACHABLE, "Kafka at " + bootstrap + " does not answer (is the address right?)");
    }
    if (info == null || info.isEmpty()) {
      throw new HistoryException(HistoryException.Kind.UNREACHABLE, "topic " + topic + " does not exist on " + bootstrap);
    }
    return info.size();
  }

  /** The partition a document's records are in: Kafka's default partitioner on its key. */
  public static int partitionOf(DocKey key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.value().getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  public long end(TopicPartition tp) {
    return consumer.endOffsets(List.of(tp)).get(tp);
  }

  public long beginning(TopicPartition tp) {
    return consumer.beginningOffsets(List.of(tp)).get(tp);
  }

  /**
   * Hands every record of {@code tp} from {@code from} up to the end as it is now to
   * {@code sink}, in order, until the sink returns false. Returns the offset reached.
   */
  public long scan(TopicPartition tp, long from, Sink sink, Progress progress) {
    long end = end(tp);
    long start = Math.max(from, beginning(tp));
    if (start >= end) {
      return end;
    }
    consumer.assign(List.of(tp));
    consumer.seek(tp, start);
    long position = start;
    while (position < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
        if (r.offset() >= end) {
          return end;
        }
        if (!sink.accept(r)) {
          return r.offset() + 1;
        }
      }
      position = consumer.position(tp);
      progress.at(tp, position - start, end - start);
    }
    return end;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
