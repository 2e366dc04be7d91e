package dev.tandem.gateway.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the given topics from their end onwards, outside any group (every
 * gateway sees every committed op), and hands each poll's records to {@code sink}. Runs on its
 * own thread; the sink moves the records onto the hub's event loop and calls {@link
 * Batch#done()} once they are handled. Backpressure: while more than {@code maxPending} records
 * are handed over and not done, the feed pauses its partitions (it keeps polling, so the
 * consumer stays alive, but fetches nothing) and resumes them once the hub is down to half.
 */
public final class Feed implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Feed.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<String> topics;
  private final Consumer<Batch> sink;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private volatile boolean running = true;
  private volatile long pauses;

  /** One poll's records for the hub; {@link #done} when they are handled. */
  public final class Batch {
    private final List<ConsumerRecord<String, byte[]>> records;

    private Batch(List<ConsumerRecord<String, byte[]>> records) {
      this.records = records;
    }

    public List<ConsumerRecord<String, byte[]>> records() {
      return records;
    }

    /** The records are handled: they no longer count against the bound. */
    public void done() {
      pending.addAndGet(-records.size());
    }
  }
  private volatile boolean positioned;

  public Feed(String bootstrapServers, String clientId, List<String> topics, int maxPending, Consumer<Batch> sink) {
    this.topics = topics;
    this.sink = sink;
    this.maxPending = maxPending;
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.CLIENT_ID_CONFIG, clientId,
        // Only committed transactions: an op is acknowledged when it is durable in the log.
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        // A waiting fetch is answered as soon as records arrive (fetch.min.bytes is 1), so the
        // wait costs no latency; it only sets how often an idle consumer asks again. At 5 ms the
        // consumers of an idle standalone server kept 0.17 of a core busy.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Whether the feed reads from the end of every partition, so nothing committed from now on is missed. */
  /** The consumer itself, for its metrics (read from other threads: Kafka's metrics are). */
  public KafkaConsumer<String, byte[]> consumer() {
    return consumer;
  }

  public boolean positioned() {
    return positioned && running;
  }

  @Override
  public void run() {
    try {
      List<TopicPartition> all = new ArrayList<>();
      for (String topic : topics) {
        for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
          all.add(new TopicPartition(topic, p.partition()));
        }
      }
      consumer.assign(all);
      consumer.seekToEnd(all);
      all.forEach(consumer::position);
      positioned = true;
      boolean paused = false;
      while (running) {
        int queued = pending.get();
        if (!paused && queued > maxPending) {
          consumer.pause(all);
          paused = true;
          pauses++;
          LOG.debug("feed paused: {} records waiting for the hub", queued);
        } else if (paused && queued <= maxPending / 2) {
          consumer.resume(all);
          paused = false;
        }
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(100));
        } catch (WakeupException e) {
          continue;
        }
        if (!records.isEmpty()) {
          List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
          records.forEach(batch::add);
          pending.addAndGet(batch.size());
          sink.accept(new Batch(batch));
        }
      }
    } catch (RuntimeException e) {
      LOG.error("gateway feed stopped", e);
    } finally {
      running = false;
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Records handed to the hub and not yet handled. */
  public int pendingRecords() {
    return pending.get();
  }

  /** How often the feed paused because the hub was behind. */
  public long pauseCount() {
    return pauses;
  }

  public void stop() {
    running = false;
    consumer.wakeup();
  }
}
