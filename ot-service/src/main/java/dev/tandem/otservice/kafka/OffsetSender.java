package dev.tandem.otservice.kafka;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * Sends a transaction's consumer offsets from its own thread, since
 * {@code sendOffsetsToTransaction} blocks for two round trips to the coordinators and the loop
 * has records to handle meanwhile. The producer is thread safe; the consumer is not, so its group
 * metadata is read on the loop's thread and passed in. One thread, gone after 10 s idle.
 */
final class OffsetSender {

  private final ThreadPoolExecutor executor;

  OffsetSender(String name) {
    executor = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  Future<?> submit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group,
      KafkaProducer<String, byte[]> producer) {
    return executor.submit(() -> producer.sendOffsetsToTransaction(offsets, group));
  }

  /**
   * Waits until {@code sent} (null: nothing was sent) has finished, however it ended, even when
   * interrupted: the transaction is aborted or its producer closed next.
   */
  void settle(Future<?> sent) {
    boolean interrupted = false;
    while (sent != null) {
      try {
        sent.get();
        break;
      } catch (ExecutionException e) {
        // The abort that follows reports what went wrong with the transaction.
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
