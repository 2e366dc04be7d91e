package dev.tandem.otservice.kafka;

import dev.tandem.otservice.kafka.Failures.BatchFailure;
import dev.tandem.otservice.kafka.Failures.FatalLoopException;
import dev.tandem.otservice.kafka.Failures.RecordFailure;
import dev.tandem.otservice.kafka.SubmissionHandler.Pending;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction over submitted records: everything they produce (committed ops, replies, due
 * snapshots) and the consumer offsets past them, committed together with
 * {@code sendOffsetsToTransaction} and the consumer's group metadata, so that a zombie's
 * transaction is fenced. When it fails it aborts, rebuilds the documents of its partitions
 * from the log (memory never runs ahead of the log) and says whom to blame, for
 * {@link PoisonIsolation} to decide what to try next.
 */
final class BatchTransaction implements PoisonIsolation.Attempt<ConsumerRecord<String, byte[]>> {

  private static final Logger LOG = LoggerFactory.getLogger(BatchTransaction.class);

  private final Supplier<KafkaClients> clients;
  private final ResidentDocuments docs;
  private final SubmissionHandler handler;
  private final SnapshotWriter snapshots;
  private final PartitionRebuilder rebuilder;
  private final LoopStats stats;
  private final OffsetSender offsetSender;

  BatchTransaction(Supplier<KafkaClients> clients, ResidentDocuments docs, SubmissionHandler handler,
      SnapshotWriter snapshots, PartitionRebuilder rebuilder, LoopStats stats) {
    this.clients = clients;
    this.docs = docs;
    this.handler = handler;
    this.snapshots = snapshots;
    this.rebuilder = rebuilder;
    this.stats = stats;
    this.offsetSender = new OffsetSender("ot-offsets");
  }

  @Override
  public void run(List<ConsumerRecord<String, byte[]>> records, Set<ConsumerRecord<String, byte[]>> poison) {
    long started = System.nanoTime();
    KafkaClients c = clients.get();
    KafkaProducer<String, byte[]> producer = c.begin();
    List<Pending> pending = new ArrayList<>();
    // The offsets past these records are known before any is handled: they go to the
    // transaction from another thread, and their two coordinator round trips (AddOffsetsToTxn,
    // TxnOffsetCommit) run while this one handles the records (creating documents, 400 in
    // flight: a transaction spent 5 of its 11 ms waiting for them after handling).
    Future<?> offsetsSent = null;
    ConsumerRecord<String, byte[]> current = null;
    try {
      offsetsSent = offsetSender.submit(offsetsPast(records), c.consumer.groupMetadata(), producer);
      for (ConsumerRecord<String, byte[]> r : records) {
        current = r;
        PartitionState ps = docs.partition(r.partition());
        if (ps == null) {
          // Given up in a rebalance since it was polled: the new owner processes it.
          continue;
        }
        if (poison.contains(r)) {
          handler.answerPoison(ps, r);
        } else {
          handler.handle(ps, r).ifPresent(pending::add);
        }
      }
      current = null;
      landed(offsetsSent);
      producer.flush();
      for (Pending p : pending) {
        current = p.record();
        long offset = landed(p.sent()).offset();
        p.doc().offsetOf(offset);
        p.ps().logEnd = Math.max(p.ps().logEnd, offset + 1);
      }
      current = null;
      long now = System.currentTimeMillis();
      for (Pending p : pending) {
        snapshots.writeDue(p.ps(), p.doc(), now);
      }
      producer.commitTransaction();
    } catch (RuntimeException e) {
      // The producer is not aborted under the offsets' feet.
      offsetSender.settle(offsetsSent);
      throw abortAndRestore(c, producer, e, current, records);
    } catch (Error e) {
      // The loop ends and its clients close: not under the offsets' feet either.
      offsetSender.settle(offsetsSent);
      throw e;
    }
    try {
      snapshots.landed();
    } catch (ExecutionException | InterruptedException e) {
      throw new FatalLoopException("a committed snapshot has no offset", e);
    }
    stats.committed(pending.size(), records.size(), System.nanoTime() - started);
  }

  /** The offset past the last record of each partition still owned. */
  private Map<TopicPartition, OffsetAndMetadata> offsetsPast(List<ConsumerRecord<String, byte[]>> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      if (docs.partition(r.partition()) != null) {
        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      }
    }
    return offsets;
  }

  private static <T> T landed(Future<T> sent) {
    try {
      return sent.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new KafkaException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted", e);
    }
  }

  /**
   * Aborts the transaction and rebuilds the documents of its partitions; returns what to throw:
   * the fatal error itself, a {@link RecordFailure} when one record is to blame, else a
   * {@link BatchFailure}.
   */
  private RuntimeException abortAndRestore(KafkaClients c, KafkaProducer<String, byte[]> producer, RuntimeException e, ConsumerRecord<String, byte[]> current,
      List<ConsumerRecord<String, byte[]>> records) {
    if (Failures.fatal(e) || e instanceof FatalLoopException) {
      return e;
    }
    Set<Integer> partitions = partitionsOf(records);
    LOG.warn("transaction aborted ({}), restoring partitions {}", e.toString(), partitions);
    snapshots.abandon();
    try {
      producer.abortTransaction();
    } catch (KafkaException abortFailed) {
      return new FatalLoopException("abort failed after " + e, abortFailed);
    }
    for (int p : partitions) {
      if (docs.partition(p) != null) {
        docs.put(rebuilder.rebuild(c, p));
      }
    }
    return current != null && Failures.blamesRecord(e) ? new RecordFailure(current, e) : new BatchFailure(e);
  }

  private static Set<Integer> partitionsOf(Collection<ConsumerRecord<String, byte[]>> records) {
    Set<Integer> out = new LinkedHashSet<>();
    records.forEach(r -> out.add(r.partition()));
    return out;
  }
}
