package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.Failures.BatchFailure;
import dev.tandem.otservice.kafka.Failures.FatalLoopException;
import dev.tandem.otservice.kafka.Failures.RecordFailure;
import dev.tandem.otservice.kafka.LoopHealth.State;
import dev.tandem.otservice.kafka.SubmissionHandler.Pending;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ot-service's engine: a consumer-group member on {@code tandem.ops.submitted} that processes
 * each partition in order and writes everything a poll produces (committed ops, replies,
 * snapshots) with the consumer offsets in one Kafka transaction. Runs on its own thread: every
 * call in here may block.
 *
 * <p>Its parts: {@link KafkaClients} (set-up), {@link SubmissionHandler} (one record),
 * {@link PoisonIsolation} (bounded retries, setting aside what cannot be processed),
 * {@link PartitionRebuilder} (take-over and restore), {@link SnapshotWriter} (snapshots and
 * checkpoints), {@link ResidentDocuments} (memory). Errors are sorted as {@link Failures} says.
 *
 * <p>When a transaction fails, the documents of the partitions involved are rebuilt from the
 * log before the batch is tried again: the state in memory never runs ahead of the log.
 */
public final class OtLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(OtLoop.class);
  private static final Duration TOP_UP = Duration.ofMillis(1);
  /** Fatal errors restart the clients after 1 s, doubling up to this. */
  private static final long MAX_RESTART_BACKOFF_MS = 30_000;
  /** Flushes in a row that fail for Kafka's reasons before the clients are restarted. */
  private static final int MAX_FAILED_FLUSHES = 3;

  private final OtServiceConfig config;
  private final LoopHealth health = new LoopHealth();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong committedOps = new AtomicLong();
  private final AtomicLong rejectedOps = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong transactionNanos = new AtomicLong();
  private final AtomicLong transactionRecords = new AtomicLong();
  private final AtomicLong poisonRecords = new AtomicLong();
  private final Outbox out = new Outbox();
  private final ResidentDocuments docs;
  private final PartitionRebuilder rebuilder;
  private final SnapshotWriter snapshots;
  private final SubmissionHandler handler;
  private final PoisonIsolation isolation = new PoisonIsolation(attempt -> sleepQuietly(200L * attempt));
  private volatile boolean running = true;
  private volatile boolean crashed;
  private volatile boolean ready;
  private volatile KafkaClients clients;
  /** Records polled and not yet processed, while {@link #topUp} polls again. */
  private ConsumerRecords<String, byte[]> held;
  private long lastFlush = System.currentTimeMillis();
  private long lastStats = System.currentTimeMillis();
  private int failedFlushes;

  public OtLoop(OtServiceConfig config) {
    this.config = config;
    this.docs = new ResidentDocuments(config);
    this.rebuilder = new PartitionRebuilder(config, docs, health::beat);
    this.snapshots = new SnapshotWriter(config, out);
    this.handler = new SubmissionHandler(config, docs, out, rejectedOps);
  }

  /** Ops committed by this instance since it started. */
  public long committedOps() {
    return committedOps.get();
  }

  /** Ops and requests refused with an error since it started. */
  public long rejectedOps() {
    return rejectedOps.get();
  }

  /** Submitted records set aside because they could not be processed, since it started. */
  public long poisonRecords() {
    return poisonRecords.get();
  }

  /** Whether the loop runs and has joined its group. */
  public boolean ready() {
    return ready && running;
  }

  /**
   * Whether the loop makes progress: it runs and finished a poll iteration within
   * {@link LoopHealth#STALL}. False while it starts, restarts its clients, is wedged, or after it
   * stopped, was fenced or its thread ended. What {@code /health} should report.
   */
  public boolean progressing() {
    return running && health.progressing();
  }

  /** The loop's state, last progress and last error, for health details and logs. */
  public LoopHealth.Status health() {
    return health.status();
  }

  /** How often the loop had to start over with fresh Kafka clients. */
  public long restarts() {
    return restarts.get();
  }

  /** Transactions committed for submitted records, and their total time and size. */
  public long transactions() {
    return transactions.get();
  }

  public long transactionNanos() {
    return transactionNanos.get();
  }

  public long transactionRecords() {
    return transactionRecords.get();
  }

  @Override
  public void run() {
    long backoff = 1000;
    try {
      while (running) {
        try {
          health.state(State.STARTING);
          clients = KafkaClients.open(config, new Rebalance());
          out.attach(clients.producer);
          docs.attach(clients.snapshots);
          loop();
          return;
        } catch (ProducerFencedException e) {
          LOG.error("ot-service {} stops: a newer incarnation took over its transactional id", config.instanceId(), e);
          health.failed(e);
          health.state(State.FENCED);
          return;
        } catch (RuntimeException e) {
          // Fatal for these clients (out-of-order sequence, lost authorization, a bug, a batch
          // that cannot even be answered): start over with fresh clients. State in memory is
          // dropped; the partitions are rebuilt.
          LOG.error("ot-service {} restarts its Kafka clients in {} ms after: {}", config.instanceId(), backoff,
              e.toString(), e);
          health.failed(e);
          health.state(State.RESTARTING);
          restarts.incrementAndGet();
          ready = false;
          closeClients();
          docs.clear();
          snapshots.abandon();
          sleepQuietly(backoff);
          backoff = Math.min(MAX_RESTART_BACKOFF_MS, backoff * 2);
        }
      }
    } catch (Error e) {
      LOG.error("ot-service {} loop thread ends", config.instanceId(), e);
      health.failed(e);
      throw e;
    } finally {
      closeClients();
      running = false;
      if (health.status().state() != State.FENCED) {
        health.state(State.STOPPED);
      }
      stopped.countDown();
    }
  }

  private void loop() {
    while (running) {
      ConsumerRecords<String, byte[]> records;
      try {
        records = clients.consumer.poll(Duration.ofMillis(100));
      } catch (WakeupException e) {
        continue;
      }
      ready = true;
      health.state(State.RUNNING);
      if (!records.isEmpty()) {
        records = topUp(records);
        process(records);
      }
      if (System.currentTimeMillis() - lastFlush >= config.flushInterval().toMillis()) {
        flush();
      }
      health.beat();
    }
    if (!crashed) {
      flush();
    }
  }

  /**
   * The consumer prefetches while a transaction runs, and that fetch returns with the first
   * record to arrive; what arrives after it would wait for a whole further transaction. One more
   * short poll (the next fetch is already in flight) joins them into this transaction.
   */
  private ConsumerRecords<String, byte[]> topUp(ConsumerRecords<String, byte[]> first) {
    held = first;
    ConsumerRecords<String, byte[]> more;
    try {
      more = clients.consumer.poll(TOP_UP);
    } catch (WakeupException e) {
      more = ConsumerRecords.empty();
    }
    if (held == null) {
      // A rebalance inside that poll processed (or dropped, if lost) the first records already.
      return more;
    }
    held = null;
    if (more.isEmpty()) {
      return first;
    }
    Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> merged = new HashMap<>();
    for (ConsumerRecords<String, byte[]> batch : List.of(first, more)) {
      for (TopicPartition tp : batch.partitions()) {
        merged.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(batch.records(tp));
      }
    }
    return new ConsumerRecords<>(merged, Map.of());
  }

  /** Processes a poll's records: one transaction when all goes well, poison set aside when not. */
  private void process(ConsumerRecords<String, byte[]> records) {
    List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
    records.forEach(all::add);
    Set<ConsumerRecord<String, byte[]>> poison = isolation.process(all, this::transact);
    poisonRecords.addAndGet(poison.size());
  }

  /** One transaction over {@code records}; on failure it aborts, restores, and says whom to blame. */
  private void transact(List<ConsumerRecord<String, byte[]>> records, Set<ConsumerRecord<String, byte[]>> poison) {
    long started = System.nanoTime();
    KafkaClients c = clients;
    c.producer.beginTransaction();
    List<Pending> pending = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    ConsumerRecord<String, byte[]> current = null;
    try {
      for (ConsumerRecord<String, byte[]> r : records) {
        current = r;
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
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
        offsets.put(tp, new OffsetAndMetadata(r.offset() + 1));
      }
      current = null;
      c.producer.flush();
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
      c.producer.sendOffsetsToTransaction(offsets, c.consumer.groupMetadata());
      c.producer.commitTransaction();
    } catch (RuntimeException e) {
      throw abortAndRestore(e, current, records);
    }
    try {
      snapshots.landed();
    } catch (ExecutionException | InterruptedException e) {
      throw new FatalLoopException("a committed snapshot has no offset", e);
    }
    committedOps.addAndGet(pending.size());
    transactions.incrementAndGet();
    transactionRecords.addAndGet(records.size());
    transactionNanos.addAndGet(System.nanoTime() - started);
    logStats();
  }

  private static RecordMetadata landed(java.util.concurrent.Future<RecordMetadata> sent) {
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
  private RuntimeException abortAndRestore(RuntimeException e, ConsumerRecord<String, byte[]> current,
      List<ConsumerRecord<String, byte[]>> records) {
    if (Failures.fatal(e) || e instanceof FatalLoopException) {
      return e;
    }
    LOG.warn("transaction aborted ({}), restoring partitions {}", e.toString(), partitionsOf(records));
    snapshots.abandon();
    try {
      clients.producer.abortTransaction();
    } catch (KafkaException abortFailed) {
      return new FatalLoopException("abort failed after " + e, abortFailed);
    }
    for (int p : partitionsOf(records)) {
      docs.put(rebuilder.rebuild(clients, p));
    }
    return current != null && Failures.blamesRecord(e) ? new RecordFailure(current, e) : new BatchFailure(e);
  }

  private static Set<Integer> partitionsOf(Collection<ConsumerRecord<String, byte[]>> records) {
    Set<Integer> out = new LinkedHashSet<>();
    records.forEach(r -> out.add(r.partition()));
    return out;
  }

  /**
   * Writes a snapshot of every changed document and a checkpoint per partition, then lets idle
   * documents go. All partitions in one transaction; when that fails, one partition at a time,
   * and a partition whose snapshots fail writes its checkpoint alone (which replays what the
   * snapshots would have covered). An aborted flush changes nothing in memory.
   */
  private void flush() {
    lastFlush = System.currentTimeMillis();
    List<PartitionState> parts = assignedPartitions();
    if (parts.isEmpty()) {
      return;
    }
    boolean ok = flushTransaction(parts, true);
    if (!ok) {
      ok = true;
      for (PartitionState ps : parts) {
        if (!flushTransaction(List.of(ps), true) && !flushTransaction(List.of(ps), false)) {
          ok = false;
        }
      }
    }
    failedFlushes = ok ? 0 : failedFlushes + 1;
    if (failedFlushes >= MAX_FAILED_FLUSHES) {
      throw new FatalLoopException(failedFlushes + " flushes in a row failed", null);
    }
    docs.evict(System.currentTimeMillis());
  }

  private List<PartitionState> assignedPartitions() {
    var assigned = clients.consumer.assignment();
    List<PartitionState> out = new ArrayList<>();
    for (PartitionState ps : docs.partitions()) {
      if (assigned.contains(new TopicPartition(config.topics().submitted(), ps.partition))) {
        out.add(ps);
      }
    }
    return out;
  }

  /** One flush transaction; false when it was aborted for a reason that is not fatal. */
  private boolean flushTransaction(List<PartitionState> parts, boolean withSnapshots) {
    KafkaClients c = clients;
    long now = System.currentTimeMillis();
    c.producer.beginTransaction();
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
      c.producer.sendOffsetsToTransaction(positions, c.consumer.groupMetadata());
      c.producer.commitTransaction();
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
        c.producer.abortTransaction();
      } catch (KafkaException abortFailed) {
        throw new FatalLoopException("abort failed after " + e, abortFailed);
      }
      return false;
    }
  }

  private void logStats() {
    long now = System.currentTimeMillis();
    if (now - lastStats >= 10_000) {
      lastStats = now;
      long n = Math.max(1, transactions.get());
      LOG.info("ot-service {}: {} transactions, {} records each on average, {} ms each on average",
          config.instanceId(), transactions.get(), transactionRecords.get() / n, transactionNanos.get() / n / 1_000_000.0);
    }
  }

  /** Stops after the current batch, writing snapshots of what changed; waits up to {@code timeout}. */
  public void stop(Duration timeout) throws InterruptedException {
    running = false;
    KafkaClients c = clients;
    if (c != null) {
      c.consumer.wakeup();
    }
    stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops at once without flushing, as a crash would (for fault tests). */
  public void halt() {
    crashed = true;
    running = false;
    KafkaClients c = clients;
    if (c != null) {
      c.consumer.wakeup();
    }
  }

  private void closeClients() {
    KafkaClients c = clients;
    clients = null;
    if (c != null) {
      c.close();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Hands partitions over: commits what was polled for them, snapshots them, rebuilds new ones. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (held != null) {
        // Records polled but not yet processed: commit them while the partitions are still ours,
        // before the flush below commits the positions past them.
        ConsumerRecords<String, byte[]> records = held;
        held = null;
        if (!crashed) {
          process(records);
        }
      }
      if (!crashed) {
        try {
          flush();
        } catch (KafkaException | IllegalStateException | FatalLoopException e) {
          LOG.warn("could not write snapshots before giving up partitions {}", partitions, e);
        }
      }
      partitions.forEach(tp -> docs.remove(tp.partition()));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      held = null;
      partitions.forEach(tp -> docs.remove(tp.partition()));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        docs.put(rebuilder.rebuild(clients, tp.partition()));
      }
    }
  }
}
