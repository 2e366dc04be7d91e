package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.PartitionState.Resident;
import dev.tandem.otservice.kafka.PartitionState.SnapshotRef;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.otservice.state.SubmitOutcome;
import dev.tandem.otservice.state.Submission;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.Reply;
import dev.tandem.schemas.SnapshotRecord;
import dev.tandem.schemas.SubmittedOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ot-service's engine: a consumer-group member on {@code tandem.ops.submitted} that processes
 * each partition in order and writes everything a poll produces (committed ops, replies,
 * snapshots) with the consumer offsets in one Kafka transaction. Runs on its own thread: every
 * call in here may block.
 *
 * <p>When a transaction fails, the documents of the partitions involved are dropped from
 * memory and the consumer rewinds to the last committed offsets: the state in memory never
 * runs ahead of the log. A partition this instance takes over is rebuilt before any of its
 * records is processed: snapshots index, then the log from the partition's checkpoint.
 */
public final class OtLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(OtLoop.class);
  /** A new owner refills history windows with the ops of about this many flush intervals. */
  private static final int HISTORY_FLUSHES = 12;

  private final OtServiceConfig config;
  private final Map<Integer, PartitionState> owned = new HashMap<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong committedOps = new AtomicLong();
  private final AtomicLong rejectedOps = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong transactionNanos = new AtomicLong();
  private final AtomicLong transactionRecords = new AtomicLong();
  private long lastStats = System.currentTimeMillis();
  private volatile boolean running = true;
  private volatile boolean crashed;
  private volatile boolean ready;
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;
  /** Reads snapshots (the index, and one snapshot by offset). */
  private PartitionReader reader;
  /** Reads the event log during a rebuild; separate because loading a snapshot happens mid-scan. */
  private PartitionReader logReader;
  private long lastFlush = System.currentTimeMillis();

  public OtLoop(OtServiceConfig config) {
    this.config = config;
  }

  /** Ops committed by this instance since it started. */
  public long committedOps() {
    return committedOps.get();
  }

  public long rejectedOps() {
    return rejectedOps.get();
  }

  /** Whether the loop runs and has joined its group. */
  public boolean ready() {
    return ready && running;
  }

  @Override
  public void run() {
    try {
      while (running) {
        try {
          open();
          loop();
          return;
        } catch (ProducerFencedException e) {
          LOG.error("ot-service {} stops: a newer incarnation took over its transactional id", config.instanceId(), e);
          return;
        } catch (RuntimeException e) {
          // Fatal for these clients (out-of-order sequence, lost authorization, a bug): start
          // over with fresh clients. State in memory is dropped; the partitions are rebuilt.
          LOG.error("ot-service {} restarts its Kafka clients after: {}", config.instanceId(), e.toString(), e);
          restarts.incrementAndGet();
          ready = false;
          closeQuietly();
          owned.clear();
          pendingSnapshots.clear();
          sleepQuietly(1000);
        }
      }
    } finally {
      closeQuietly();
      running = false;
      stopped.countDown();
    }
  }

  private void loop() {
    while (running) {
      ConsumerRecords<String, byte[]> records;
      try {
        records = consumer.poll(Duration.ofMillis(100));
      } catch (WakeupException e) {
        continue;
      }
      ready = true;
      if (!records.isEmpty()) {
        records = topUp(records);
        processInTransaction(records);
      }
      if (System.currentTimeMillis() - lastFlush >= config.flushInterval().toMillis()) {
        flushInTransaction(false);
      }
    }
    if (!crashed) {
      flushInTransaction(true);
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
      more = consumer.poll(TOP_UP);
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

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How often the loop had to start over with fresh Kafka clients. */
  public long restarts() {
    return restarts.get();
  }

  /** Stops after the current batch, writing snapshots of what changed; waits up to {@code timeout}. */
  public void stop(Duration timeout) throws InterruptedException {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
    stopped.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Stops at once without flushing, as a crash would (for fault tests). */
  public void halt() {
    crashed = true;
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
  }

  private void open() {
    String id = config.instanceId();
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    // A stable id per instance: a restarted instance fences its previous incarnation.
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tandem-ot-" + id);
    // Exactly once needs both, set explicitly rather than implied.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Batches of a poll go out together; 1 ms lets the commits of one poll share requests.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // With transactions v2 a data batch may be refused with CONCURRENT_TRANSACTIONS while the
    // previous commit's markers are written; its retry must not be overtaken by the batches
    // behind it, or the broker sees sequences out of order: one request in flight. With v1 the
    // idempotent producer keeps order with five in flight.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, transactionVersion() >= 2 ? 1 : 5);
    // That refusal clears within milliseconds, when the markers are written; the default 100 ms
    // backoff before the retry would stall every transaction that follows a commit. A flat 1 ms
    // catches the moment sooner (hot document, warm: 3,265 -> 3,404 ops/s).
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 1);
    p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
    // Batches are small and frequent (one transaction per poll): compressing each costs more CPU
    // on both ends than it saves (measured: LZ4 setup per batch showed in the profile).
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    producer.initTransactions();

    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
    // Offsets are committed only inside our transactions, never by a timer.
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A submitted op written by an aborted gateway transaction never reaches us.
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    // Taking over a busy partition replays its log since the checkpoint inside poll().
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
    // A dead instance's partitions move on within about ten seconds.
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    reader = new PartitionReader(config.bootstrapServers(), id + "-snapshots");
    logReader = new PartitionReader(config.bootstrapServers(), id + "-log");
    consumer.subscribe(List.of(config.topics().submitted()), new Rebalance());
  }

  /** The cluster's finalized transaction protocol version (1 when the feature is absent). */
  private int transactionVersion() {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", config.bootstrapServers()))) {
      var range = admin.describeFeatures().featureMetadata().get(30, java.util.concurrent.TimeUnit.SECONDS)
          .finalizedFeatures().get("transaction.version");
      return range == null ? 1 : range.maxVersionLevel();
    } catch (Exception e) {
      LOG.warn("cannot read the cluster's transaction.version; assuming 2 (the careful setting)", e);
      return 2;
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (held != null) {
        // Records polled but not yet processed: commit them while the partitions are still ours,
        // before the flush below commits the positions past them.
        ConsumerRecords<String, byte[]> records = held;
        held = null;
        if (!crashed) {
          processInTransaction(records);
        }
      }
      if (!crashed) {
        try {
          flushInTransaction(true);
        } catch (KafkaException | IllegalStateException e) {
          LOG.warn("could not write snapshots before giving up partitions {}", partitions, e);
        }
      }
      partitions.forEach(tp -> owned.remove(tp.partition()));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      held = null;
      partitions.forEach(tp -> owned.remove(tp.partition()));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        owned.put(tp.partition(), rebuild(tp.partition()));
      }
    }
  }

  /** Rebuilds a partition: the snapshot index, then every document touched since the checkpoint. */
  private PartitionState rebuild(int partition) {
    long started = System.nanoTime();
    PartitionState ps = new PartitionState(partition);
    long[] checkpoint = {0, 0};
    TopicPartition snaps = new TopicPartition(config.topics().snapshots(), partition);
    reader.scan(snaps, 0, r -> {
      if (r.value() == null) {
        return;
      }
      try {
        if (Checkpoint.KEY.equals(r.key())) {
          Checkpoint cp = Records.decode(r.value(), Checkpoint.class);
          if (cp.offset() >= checkpoint[0]) {
            checkpoint[0] = cp.offset();
            checkpoint[1] = cp.replayFrom();
          }
          return;
        }
        SnapshotRecord s = Records.decode(r.value(), SnapshotRecord.class);
        SnapshotRef known = ps.snapshots.get(s.key());
        if (known == null || known.version() <= s.v()) {
          ps.snapshots.put(s.key(), new SnapshotRef(r.offset(), s.v()));
        }
      } catch (MalformedRecordException | IllegalArgumentException e) {
        LOG.warn("skipping malformed snapshot record at {}-{}: {}", snaps, r.offset(), e.getMessage());
      }
    });
    TopicPartition log = new TopicPartition(config.topics().committed(), partition);
    int[] replayed = {0};
    Map<DocKey, List<CommittedOp>> history = new HashMap<>();
    ps.logEnd = logReader.scan(log, checkpoint[1], r -> {
      CommittedOp op = decodeCommitted(r);
      if (op == null) {
        return;
      }
      DocumentState doc = document(ps, op.key());
      if (op.v() < doc.version()) {
        history.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        return;
      }
      if (op.v() > doc.version()) {
        throw new IllegalStateException("event log gap for " + op.key() + ": have version " + doc.version()
            + ", next op in the log is v" + op.v() + " at offset " + r.offset());
      }
      doc.apply(op);
      doc.offsetOf(r.offset());
      replayed[0]++;
    });
    history.forEach((key, ops) -> ps.docs.get(key).doc.prependHistory(ops));
    ps.pastEnds.add(checkpoint[1]);
    LOG.info("partition {} rebuilt in {} ms: {} snapshots indexed, {} ops applied and {} read for history from offset {}",
        partition, (System.nanoTime() - started) / 1_000_000, ps.snapshots.size(), replayed[0],
        history.values().stream().mapToInt(List::size).sum(), checkpoint[1]);
    return ps;
  }

  private static CommittedOp decodeCommitted(ConsumerRecord<String, byte[]> r) {
    try {
      return Records.decode(r.value(), CommittedOp.class);
    } catch (MalformedRecordException | IllegalArgumentException e) {
      throw new IllegalStateException("malformed record in the event log at offset " + r.offset() + ": " + e.getMessage(), e);
    }
  }

  /** The resident document, or the document loaded from its latest snapshot. */
  private DocumentState document(PartitionState ps, DocKey key) {
    Resident r = ps.docs.get(key);
    long now = System.currentTimeMillis();
    if (r == null) {
      SnapshotRef ref = ps.snapshots.get(key);
      DocumentState doc = DocumentState.empty(key, config.windowSize());
      if (ref != null) {
        var record = reader.read(new TopicPartition(config.topics().snapshots(), ps.partition), ref.offset());
        if (record == null) {
          throw new IllegalStateException("snapshot of " + key + " at offset " + ref.offset() + " is gone");
        }
        doc = DocumentState.fromSnapshot(Records.decode(record.value(), SnapshotRecord.class), config.windowSize());
      }
      r = new Resident(doc, now);
      ps.docs.put(key, r);
    }
    r.lastUsed = now;
    return r.doc;
  }

  /** A commit sent in the current transaction, waiting for its offset. */
  private record Pending(PartitionState ps, DocumentState doc, Future<RecordMetadata> sent) {}

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

  /** Records polled and not yet processed, while {@link #topUp} polls again. */
  private ConsumerRecords<String, byte[]> held;
  private static final Duration TOP_UP = Duration.ofMillis(1);

  private void processInTransaction(ConsumerRecords<String, byte[]> records) {
    long started = System.nanoTime();
    producer.beginTransaction();
    List<Pending> pending = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    try {
      for (TopicPartition tp : records.partitions()) {
        PartitionState ps = owned.get(tp.partition());
        for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
          handle(ps, r, pending);
          offsets.put(tp, new OffsetAndMetadata(r.offset() + 1));
        }
      }
      producer.flush();
      for (Pending p : pending) {
        p.doc().offsetOf(p.sent().get().offset());
        p.ps().logEnd = Math.max(p.ps().logEnd, p.sent().get().offset() + 1);
      }
      writeDueSnapshots(pending);
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
      recordSnapshotOffsets();
      committedOps.addAndGet(pending.size());
      transactions.incrementAndGet();
      transactionRecords.addAndGet(records.count());
      transactionNanos.addAndGet(System.nanoTime() - started);
      logStats();
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
      throw e;
    } catch (Exception e) {
      LOG.warn("transaction aborted, rewinding partitions {}: {}", offsets.keySet(), e.toString());
      abortAndRewind(records.partitions());
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

  private void handle(PartitionState ps, ConsumerRecord<String, byte[]> r, List<Pending> pending) {
    SubmittedOp op;
    try {
      op = Records.decode(r.value(), SubmittedOp.class);
      if (!op.key().value().equals(r.key())) {
        throw new MalformedRecordException("key " + r.key() + " does not match the document " + op.key());
      }
    } catch (MalformedRecordException | IllegalArgumentException e) {
      LOG.warn("skipping malformed submitted record at {}-{}: {}", r.topic(), r.offset(), e.getMessage());
      return;
    }
    DocumentState doc = document(ps, op.key());
    if (SubmittedOp.LOAD.equals(op.kind())) {
      send(config.topics().replies(), ps, op.key(), Records.encode(
          Reply.snapshot(op, doc.version(), doc.type().map(t -> t.uri()).orElse(null), doc.data())));
      return;
    }
    SubmitOutcome outcome = Submission.submit(doc, op, System.currentTimeMillis());
    if (outcome instanceof SubmitOutcome.Committed c) {
      pending.add(new Pending(ps, doc, send(config.topics().committed(), ps, op.key(), Records.encode(c.op()))));
    } else if (outcome instanceof SubmitOutcome.Duplicate d) {
      send(config.topics().replies(), ps, op.key(), Records.encode(Reply.duplicate(op, d.v())));
    } else if (outcome instanceof SubmitOutcome.Rejected rej) {
      rejectedOps.incrementAndGet();
      send(config.topics().replies(), ps, op.key(), Records.encode(Reply.reject(op, rej.error())));
    }
  }

  private Future<RecordMetadata> send(String topic, PartitionState ps, DocKey key, byte[] value) {
    return producer.send(new ProducerRecord<>(topic, ps.partition, key.value(), value));
  }

  private void writeDueSnapshots(List<Pending> pending) {
    long now = System.currentTimeMillis();
    for (Pending p : pending) {
      DocumentState doc = p.doc();
      if (doc.version() - doc.lastSnapshotVersion() >= config.snapshotEvery()) {
        writeSnapshot(p.ps(), doc, now);
      }
    }
  }

  /** A snapshot sent in the current transaction, waiting for its offset. */
  private record PendingSnapshot(PartitionState ps, DocKey key, long version, Future<RecordMetadata> sent) {}

  private final List<PendingSnapshot> pendingSnapshots = new ArrayList<>();

  private void writeSnapshot(PartitionState ps, DocumentState doc, long now) {
    Future<RecordMetadata> sent = send(config.topics().snapshots(), ps, doc.key(), Records.encode(doc.snapshot(now)));
    doc.snapshotWritten(doc.version());
    pendingSnapshots.add(new PendingSnapshot(ps, doc.key(), doc.version(), sent));
  }

  private void abortAndRewind(Collection<TopicPartition> partitions) {
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      LOG.warn("abort failed", e);
    }
    pendingSnapshots.clear();
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
    for (TopicPartition tp : partitions) {
      owned.put(tp.partition(), rebuild(tp.partition()));
      OffsetAndMetadata at = committed.get(tp);
      if (at != null) {
        consumer.seek(tp, at);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  /**
   * Writes a snapshot of every changed document and a checkpoint per partition, then lets idle
   * documents (and those past the memory bound) go. With {@code all}, every changed document.
   */
  private void flushInTransaction(boolean all) {
    lastFlush = System.currentTimeMillis();
    if (owned.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    producer.beginTransaction();
    try {
      Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
      var assigned = consumer.assignment();
      for (PartitionState ps : owned.values()) {
        if (!assigned.contains(new TopicPartition(config.topics().submitted(), ps.partition))) {
          continue;
        }
        for (Resident r : ps.docs.values()) {
          if (r.doc.dirty()) {
            writeSnapshot(ps, r.doc, now);
          }
        }
        ps.pastEnds.addLast(ps.logEnd);
        while (ps.pastEnds.size() > HISTORY_FLUSHES) {
          ps.pastEnds.removeFirst();
        }
        producer.send(new ProducerRecord<>(config.topics().snapshots(), ps.partition, Checkpoint.KEY,
            Records.encode(new Checkpoint(1, ps.logEnd, ps.pastEnds.peekFirst(), now))));
        TopicPartition tp = new TopicPartition(config.topics().submitted(), ps.partition);
        positions.put(tp, new OffsetAndMetadata(consumer.position(tp)));
      }
      // The consumer's group generation fences a zombie's flush: stale snapshots never land.
      producer.sendOffsetsToTransaction(positions, consumer.groupMetadata());
      producer.commitTransaction();
      recordSnapshotOffsets();
      evict(now);
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
      throw e;
    } catch (Exception e) {
      LOG.warn("snapshot flush aborted: {}", e.toString());
      abortAndRewind(owned.keySet().stream().map(p -> new TopicPartition(config.topics().submitted(), p)).toList());
    }
  }

  /** After a commit: where the snapshots of that transaction landed. */
  private void recordSnapshotOffsets() throws Exception {
    for (PendingSnapshot p : pendingSnapshots) {
      p.ps().snapshots.put(p.key(), new SnapshotRef(p.sent().get().offset(), p.version()));
    }
    pendingSnapshots.clear();
  }

  private void evict(long now) {
    int resident = owned.values().stream().mapToInt(ps -> ps.docs.size()).sum();
    for (PartitionState ps : owned.values()) {
      for (Iterator<Resident> it = ps.docs.values().iterator(); it.hasNext();) {
        Resident r = it.next();
        boolean idle = now - r.lastUsed >= config.idleEvict().toMillis();
        if (!r.doc.dirty() && (idle || resident > config.maxResidentDocs())) {
          it.remove();
          resident--;
        }
      }
    }
  }

  private void closeQuietly() {
    try {
      if (consumer != null) {
        consumer.close(Duration.ofSeconds(5));
        consumer = null;
      }
    } catch (RuntimeException e) {
      LOG.debug("consumer close", e);
    }
    try {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
        producer = null;
      }
    } catch (RuntimeException e) {
      LOG.debug("producer close", e);
    }
    if (reader != null) {
      reader.close();
      reader = null;
    }
    if (logReader != null) {
      logReader.close();
      logReader = null;
    }
  }
}
