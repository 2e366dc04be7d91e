package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.Failures.FatalLoopException;
import dev.tandem.otservice.kafka.LoopHealth.State;
import dev.tandem.otservice.store.SnapshotStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import dev.tandem.ops.Telemetry;
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
  /**
   * How long the top-up poll waits when the poll before it returned records that were waiting in
   * the consumer's buffer (see {@link #topUp}): about a loopback round trip to the broker, which
   * answers the fetch at once when it holds records.
   */
  private static final Duration TOP_UP = Duration.ofMillis(3);
  /**
   * A poll that returned within this long did not wait: its records came from the buffer, filled
   * by a fetch that returned while the loop was away.
   */
  private static final long BUFFERED_NANOS = 300_000;
  /** Away from the consumer at least this long, the loop may have left records on the broker. */
  private static final long AWAY_NANOS = 2_000_000;
  /**
   * With more documents resident than {@code TANDEM_MAX_DOCS}, the flush comes this soon rather
   * than at its interval: a document changed since its snapshot cannot leave memory, and only a
   * flush writes the snapshots that let it go. At the interval alone, documents created faster
   * than 4,000 a second (200,000 written straight to the log) filled a 512 MiB heap between two
   * flushes.
   */
  private static final long PRESSURE_FLUSH_MS = 250;
  /** Fatal errors restart the clients after 1 s, doubling up to this. */
  private static final long MAX_RESTART_BACKOFF_MS = 30_000;

  private final OtServiceConfig config;
  private final LoopHealth health = new LoopHealth();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final LoopStats stats;
  private final Outbox out = new Outbox();
  private final ResidentDocuments docs;
  private final SnapshotStores stores;
  private final PartitionRebuilder rebuilder;
  private final SnapshotWriter snapshots;
  private final BatchTransaction batch;
  private final Flusher flusher;
  private final PoisonIsolation isolation = new PoisonIsolation(attempt -> sleepQuietly(200L * attempt));
  private volatile boolean running = true;
  private volatile boolean crashed;
  /**
   * The clients failed (fenced, a fatal error, a bug): what is in memory may be ahead of the log,
   * so leaving the group while they close must commit nothing. With two producers taking turns,
   * the one that did not fail would otherwise commit snapshots and the positions past the failed
   * batch, and its submissions would be lost.
   */
  private boolean abandoned;
  private volatile boolean ready;
  private volatile KafkaClients clients;
  private final Telemetry telemetry;
  private final java.util.List<Telemetry.Binding> clientMeters = new java.util.ArrayList<>();
  /** Records polled and not yet processed, while {@link #topUp} polls again. */
  private ConsumerRecords<String, byte[]> held;
  /**
   * Whether the last poll returned at once, after the loop was away long enough (a transaction)
   * for records to have reached the broker since the fetch that brought them.
   */
  private boolean stale;
  /** When the last poll returned ({@link System#nanoTime}). */
  private long lastPolled = System.nanoTime();
  private long lastFlush = System.currentTimeMillis();

  public OtLoop(OtServiceConfig config) {
    this(config, Telemetry.detached());
  }

  /** A loop whose counters, transaction and rebuild times and Kafka clients report to {@code telemetry}. */
  public OtLoop(OtServiceConfig config, Telemetry telemetry) {
    this.config = config;
    this.telemetry = telemetry;
    this.stats = new LoopStats(config.instanceId(), telemetry.registry());
    this.docs = new ResidentDocuments(config);
    this.stores = new SnapshotStores(config.stateDir(), config.topics().prefix());
    this.rebuilder = new PartitionRebuilder(config, docs, stores, health::beat);
    this.snapshots = new SnapshotWriter(config, out);
    SubmissionHandler handler = new SubmissionHandler(config, docs, out, stats.rejectedOps);
    this.batch = new BatchTransaction(() -> clients, docs, handler, snapshots, rebuilder, stats);
    this.flusher = new Flusher(config, () -> clients, docs, snapshots);
  }

  /** Ops committed by this instance since it started. */
  public long committedOps() {
    return stats.committedOps.get();
  }

  /** Ops and requests refused with an error since it started. */
  public long rejectedOps() {
    return stats.rejectedOps.get();
  }

  /** Submitted records set aside because they could not be processed, since it started. */
  public long poisonRecords() {
    return stats.poisonRecords.get();
  }

  /**
   * Whether ot-service answers: the loop runs, has joined its group, every partition assigned to
   * it is rebuilt, and it is polling (processing ops) rather than rebuilding. What readiness
   * (and the standalone's "up") should wait for; ops and loads sent before wait in Kafka and are
   * answered once it is.
   */
  public boolean ready() {
    return ready && running;
  }

  /**
   * Whether the loop makes progress serving: it is {@link #ready} and finished a poll iteration
   * within {@link LoopHealth#STALL}. False while it starts, rebuilds, restarts its clients, is
   * wedged, or after it stopped, was fenced or its thread ended. What {@code /health} should report.
   */
  public boolean progressing() {
    return running && ready && health.progressing();
  }

  /**
   * Whether the loop works, serving or rebuilding, and did something within {@link LoopHealth#STALL}:
   * liveness, and what a start waits on while a rebuild takes its time.
   */
  public boolean alive() {
    return running && health.alive();
  }

  /** The loop's state, last progress and last error, for health details and logs. */
  public LoopHealth.Status health() {
    return health.status();
  }

  /** Documents in memory as the loop last counted them (after its latest iteration). */
  public long residentDocuments() {
    return stats.resident.get();
  }

  /** Flushes brought forward because more than {@code TANDEM_MAX_DOCS} documents were in memory. */
  public long pressureFlushes() {
    return stats.pressureFlushes.get();
  }

  /** How often the loop had to start over with fresh Kafka clients. */
  public long restarts() {
    return stats.restarts.get();
  }

  /** Transactions committed for submitted records, and their total time and size. */
  public long transactions() {
    return stats.transactions.get();
  }

  public long transactionNanos() {
    return stats.transactionNanos.get();
  }

  public long transactionRecords() {
    return stats.transactionRecords.get();
  }

  @Override
  public void run() {
    long backoff = 1000;
    try {
      while (running) {
        try {
          health.state(State.STARTING);
          clients = KafkaClients.open(config, new Rebalance(), health::beat);
          abandoned = false;
          out.attach(clients);
          clients.producers().forEach(p -> clientMeters.add(telemetry.bind(p)));
          clientMeters.add(telemetry.bind(clients.consumer));
          loop();
          return;
        } catch (ProducerFencedException e) {
          abandoned = true;
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
          stats.restarts.incrementAndGet();
          ready = false;
          abandoned = true;
          closeClients();
          docs.clear();
          snapshots.abandon();
          sleepQuietly(backoff);
          backoff = Math.min(MAX_RESTART_BACKOFF_MS, backoff * 2);
        }
      }
    } catch (Error e) {
      abandoned = true;
      LOG.error("ot-service {} loop thread ends", config.instanceId(), e);
      health.failed(e);
      throw e;
    } finally {
      closeClients();
      running = false;
      ready = false;
      stores.close();
      if (health.status().state() != State.FENCED) {
        health.state(State.STOPPED);
      }
      stopped.countDown();
    }
  }

  private void loop() {
    while (running) {
      ConsumerRecords<String, byte[]> records;
      long asked = System.nanoTime();
      try {
        records = clients.consumer.poll(Duration.ofMillis(100));
      } catch (WakeupException e) {
        continue;
      } finally {
        long previous = lastPolled;
        lastPolled = System.nanoTime();
        stale = lastPolled - asked < BUFFERED_NANOS && asked - previous >= AWAY_NANOS;
      }
      ready = servesEveryAssignedPartition();
      health.state(State.RUNNING);
      if (!records.isEmpty()) {
        records = topUp(records);
        process(records);
      }
      long sinceFlush = System.currentTimeMillis() - lastFlush;
      int resident = docs.resident();
      if (sinceFlush >= config.flushInterval().toMillis()) {
        flush();
      } else if (sinceFlush >= PRESSURE_FLUSH_MS && resident > config.maxResidentDocs()) {
        stats.pressureFlushes.incrementAndGet();
        flush();
      }
      stats.resident.set(docs.resident());
      health.beat();
    }
    if (!crashed) {
      flush();
    }
  }

  /** Joined the group, and every partition it was given is rebuilt (none is mid-handover). */
  private boolean servesEveryAssignedPartition() {
    if (clients.consumer.groupMetadata().generationId() <= 0) {
      return false;
    }
    for (TopicPartition tp : clients.consumer.assignment()) {
      if (docs.partition(tp.partition()) == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * The consumer prefetches while a transaction runs, and that fetch returns with the first
   * records to arrive; it sends the next fetch only inside a poll. So when a poll returned such a
   * buffered batch after a transaction, what reached the broker during the rest of that
   * transaction would wait for a whole further one: a second poll waits (briefly) for the fetch
   * the first one sent and joins its records. A poll that had to wait for its records brought
   * everything there was, and the second poll does not wait. (Creating documents, 400 in flight:
   * records were 20 ms old when handled, with 11 ms transactions.)
   */
  private ConsumerRecords<String, byte[]> topUp(ConsumerRecords<String, byte[]> first) {
    held = first;
    ConsumerRecords<String, byte[]> more;
    try {
      more = clients.consumer.poll(stale ? TOP_UP : Duration.ZERO);
    } catch (WakeupException e) {
      more = ConsumerRecords.empty();
    } finally {
      // The consumer fetched while it waited here: the loop was away only after this poll.
      lastPolled = System.nanoTime();
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
    stats.poisonRecords.addAndGet(isolation.process(all, batch).size());
  }

  private void flush() {
    lastFlush = System.currentTimeMillis();
    flusher.flush();
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

  /** Closes the clients; the consumer first, whose leaving flushes through the still-open producer. */
  private void closeClients() {
    KafkaClients c = clients;
    clientMeters.forEach(Telemetry.Binding::close);
    clientMeters.clear();
    if (c != null) {
      c.close();
    }
    clients = null;
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
      ready = false;
      ConsumerRecords<String, byte[]> records = held;
      held = null;
      if (!crashed && !abandoned) {
        try {
          if (records != null) {
            // Records polled but not yet processed: commit them while the partitions are still
            // ours, before the flush below commits the positions past them.
            process(records);
          }
          flush();
        } catch (RuntimeException e) {
          // Leaving the group must not fail: the next owner would wait out the session timeout.
          // What was not committed is processed again by the next owner.
          LOG.warn("could not commit and snapshot before giving up partitions {}", partitions, e);
        }
      }
      partitions.forEach(tp -> docs.remove(tp.partition()));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      ready = false;
      held = null;
      partitions.forEach(tp -> docs.remove(tp.partition()));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      ready = false;
      health.state(State.REBUILDING);
      long started = System.nanoTime();
      for (TopicPartition tp : partitions) {
        long one = System.nanoTime();
        docs.put(rebuilder.rebuild(clients, tp.partition()));
        stats.rebuilt(tp.partition(), System.nanoTime() - one);
        health.beat();
      }
      LOG.info("ot-service {} rebuilt partitions {} in {} ms", config.instanceId(),
          partitions.stream().map(TopicPartition::partition).sorted().toList(), (System.nanoTime() - started) / 1_000_000);
    }
  }
}
