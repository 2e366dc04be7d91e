package dev.tandem.otservice.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The loop's counters, read by metrics from any thread; a summary in the log every ten seconds. */
final class LoopStats {

  private static final Logger LOG = LoggerFactory.getLogger(LoopStats.class);

  final AtomicLong committedOps = new AtomicLong();
  final AtomicLong rejectedOps = new AtomicLong();
  final AtomicLong poisonRecords = new AtomicLong();
  final AtomicLong restarts = new AtomicLong();
  final AtomicLong transactions = new AtomicLong();
  final AtomicLong transactionNanos = new AtomicLong();
  final AtomicLong transactionRecords = new AtomicLong();
  /** Documents in memory, as the loop last counted them. */
  final AtomicLong resident = new AtomicLong();
  /** Flushes brought forward because more documents than the bound were in memory. */
  final AtomicLong pressureFlushes = new AtomicLong();
  private final String instance;
  private long lastLog = System.currentTimeMillis();

  private final Timer transactionTimer;
  private final MeterRegistry registry;

  LoopStats(String instance, MeterRegistry registry) {
    this.instance = instance;
    this.registry = registry;
    FunctionCounter.builder("tandem.ot.ops.committed", committedOps, AtomicLong::get).register(registry);
    FunctionCounter.builder("tandem.ot.ops.rejected", rejectedOps, AtomicLong::get).register(registry);
    FunctionCounter.builder("tandem.ot.poison.records", poisonRecords, AtomicLong::get)
        .description("records that could not be processed, answered with an error and skipped").register(registry);
    FunctionCounter.builder("tandem.ot.client.restarts", restarts, AtomicLong::get).register(registry);
    FunctionCounter.builder("tandem.ot.transaction.records", transactionRecords, AtomicLong::get).register(registry);
    io.micrometer.core.instrument.Gauge.builder("tandem.ot.documents.resident", resident, AtomicLong::get)
        .description("documents in memory, over every partition owned").register(registry);
    FunctionCounter.builder("tandem.ot.flushes.pressure", pressureFlushes, AtomicLong::get)
        .description("flushes brought forward because more documents than TANDEM_MAX_DOCS were in memory")
        .register(registry);
    transactionTimer = Timer.builder("tandem.ot.transaction.duration").description("batch transactions, begin to commit")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
  }

  /** A partition rebuilt in {@code nanos}. */
  void rebuilt(int partition, long nanos) {
    Timer.builder("tandem.ot.rebuild.duration").tag("partition", String.valueOf(partition))
        .description("time to rebuild a partition on assignment").register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A batch transaction committed. */
  void committed(int ops, int records, long nanos) {
    committedOps.addAndGet(ops);
    transactions.incrementAndGet();
    transactionRecords.addAndGet(records);
    transactionNanos.addAndGet(nanos);
    transactionTimer.record(nanos, TimeUnit.NANOSECONDS);
    long now = System.currentTimeMillis();
    if (now - lastLog >= 10_000) {
      lastLog = now;
      long n = Math.max(1, transactions.get());
      LOG.info("ot-service {}: {} transactions, {} records each on average, {} ms each on average",
          instance, transactions.get(), transactionRecords.get() / n, transactionNanos.get() / n / 1_000_000.0);
    }
  }
}
