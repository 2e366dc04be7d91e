package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.Failures.FatalLoopException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic flush: a snapshot of every changed document and a checkpoint per partition, in a
 * transaction fenced by the consumer's group generation, then eviction of idle documents.
 * All partitions in one transaction; when that fails, one partition at a time, and a partition
 * whose snapshots fail writes its checkpoint alone (which replays what the snapshots would have
 * covered). An aborted flush changes nothing in memory. Flushes that keep failing for Kafka's
 * reasons are fatal for the clients.
 */
final class Flusher {

  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
  /** Flushes in a row that fail for Kafka's reasons before the clients are restarted. */
  private static final int MAX_FAILED_FLUSHES = 3;

  private final OtServiceConfig config;
  private final Supplier<KafkaClients> clients;
  private final ResidentDocuments docs;
  private final SnapshotWriter snapshots;
  private int failedFlushes;

  Flusher(OtServiceConfig config, Supplier<KafkaClients> clients, ResidentDocuments docs, SnapshotWriter snapshots) {
    this.config = config;
    this.clients = clients;
    this.docs = docs;
    this.snapshots = snapshots;
  }

  void flush() {
    KafkaClients c = clients.get();
    List<PartitionState> parts = assignedPartitions(c);
    if (parts.isEmpty()) {
      return;
    }
    boolean ok = transaction(c, parts, true);
    if (!ok) {
      ok = true;
      for (PartitionState ps : parts) {
        if (!transaction(c, List.of(ps), true) && !transaction(c, List.of(ps), false)) {
          ok = false;
        }
      }
    }
    failedFlushes = ok ? 0 : failedFlushes + 1;
    if (failedFlushes >= MAX_FAILED_FLUSHES) {
      failedFlushes = 0;
      throw new FatalLoopException(MAX_FAILED_FLUSHES + " flushes in a row failed", null);
    }
    docs.evict(System.currentTimeMillis());
  }

  private List<PartitionState> assignedPartitions(KafkaClients c) {
    var assigned = c.consumer.assignment();
    List<PartitionState> out = new ArrayList<>();
    for (PartitionState ps : docs.partitions()) {
      if (assigned.contains(new TopicPartition(config.topics().submitted(), ps.partition))) {
        out.add(ps);
      }
    }
    return out;
  }

  /** One flush transaction; false when it was aborted for a reason that is not fatal. */
  private boolean transaction(KafkaClients c, List<PartitionState> parts, boolean withSnapshots) {
    long now = System.currentTimeMillis();
    KafkaProducer<String, byte[]> producer = c.begin();
    try {
      Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
      for (PartitionState ps : parts) {
        if (withSnapshots) {
          snapshots.writeChanged(ps, now);
        }
        snapshots.checkpoint(ps, now);
        TopicPartition tp = new TopicPartition(config.topics().submitted(), ps.partition);
        positions.put(tp, new OffsetAndMetadata(c.consumer.position(tp)));
      }
      // The consumer's group generation fences a zombie's flush: stale snapshots never land.
      producer.sendOffsetsToTransaction(positions, c.consumer.groupMetadata());
      producer.commitTransaction();
      snapshots.landed();
      return true;
    } catch (ExecutionException | InterruptedException e) {
      throw new FatalLoopException("a committed snapshot has no offset", e);
    } catch (RuntimeException e) {
      if (Failures.fatal(e)) {
        throw e;
      }
      LOG.warn("snapshot flush of partitions {} aborted: {}", parts.stream().map(p -> p.partition).toList(), e.toString());
      snapshots.abandon();
      try {
        producer.abortTransaction();
      } catch (KafkaException abortFailed) {
        throw new FatalLoopException("abort failed after " + e, abortFailed);
      }
      return false;
    }
  }
}
