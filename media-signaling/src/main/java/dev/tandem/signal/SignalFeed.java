package dev.tandem.signal;

import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.SignalRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code tandem.signals} (every partition, from the end) on a thread of its own and hands
 * each poll's records, decoded, to {@code deliver}. A record that cannot be decoded is logged in
 * one line and skipped. A retriable poll failure is retried in place a bounded number of times;
 * any other failure of the consumer closes it and opens a new one at the end of the log after a
 * bounded backoff (signals are ephemeral: those published meanwhile are lost, as they would be to
 * a restarted instance). The thread ends only when stopped.
 */
final class SignalFeed implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(SignalFeed.class);
  private static final int MAX_RETRIES = 10;

  private final SignalingConfig config;
  private final Consumer<List<SignalRecord>> deliver;
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile boolean positioned;
  private volatile long lastProgress = System.currentTimeMillis();
  private volatile KafkaConsumer<String, byte[]> consumer;
  private int failures;

  SignalFeed(SignalingConfig config, Consumer<List<SignalRecord>> deliver) {
    this.config = config;
    this.deliver = deliver;
  }

  /** Opens the consumer at the end of every partition; call once, before the thread starts. */
  void position() {
    consumer = open();
    positioned = true;
  }

  /**
   * Positioned, and a poll ended within the instance TTL: a feed stalled that long misses the
   * other instances' heartbeats and would drop their peers.
   */
  boolean progressing() {
    return positioned && running && System.currentTimeMillis() - lastProgress <= config.instanceTtl().toMillis();
  }

  boolean positioned() {
    return positioned && running;
  }

  long skippedCount() {
    return skipped.get();
  }

  long restartCount() {
    return restarts.get();
  }

  @Override
  public void run() {
    try {
      while (running) {
        try {
          if (consumer == null) {
            consumer = open();
            positioned = true;
          }
          pollUntilStopped();
        } catch (WakeupException e) {
          // stop() woke the consumer
        } catch (RuntimeException e) {
          failures++;
          LOG.error("signals feed {}: the consumer failed; opening a new one in {} ms", config.instanceId(),
              backoff(), e);
        } finally {
          positioned = false;
          close();
        }
        if (running) {
          restarts.incrementAndGet();
          stopRequested.await(backoff(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Error e) {
      LOG.error("signals feed {}: the thread died", config.instanceId(), e);
      throw e;
    } finally {
      running = false;
      stopped.countDown();
    }
  }

  /** Doubling from 100 ms, at most 5 s. */
  private long backoff() {
    return Math.min(5_000, 100L << Math.min(6, Math.max(0, failures - 1)));
  }

  private void pollUntilStopped() {
    int retries = 0;
    while (running) {
      ConsumerRecords<String, byte[]> records;
      try {
        records = consumer.poll(Duration.ofMillis(100));
        retries = 0;
      } catch (WakeupException e) {
        continue;
      } catch (RetriableException e) {
        if (++retries > MAX_RETRIES) {
          throw e;
        }
        LOG.warn("signals feed {}: poll failed ({}), retry {} of {}", config.instanceId(), e.toString(), retries,
            MAX_RETRIES);
        continue;
      }
      failures = 0;
      if (!records.isEmpty()) {
        deliver.accept(decode(records));
      }
      lastProgress = System.currentTimeMillis();
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

  private void close() {
    KafkaConsumer<String, byte[]> c = consumer;
    consumer = null;
    if (c != null) {
      try {
        c.close(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        LOG.warn("signals feed {}: closing the consumer: {}", config.instanceId(), e.toString());
      }
    }
  }

  void stop(Duration timeout) throws InterruptedException {
    running = false;
    stopRequested.countDown();
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
