package dev.tandem.otservice.kafka;

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
  private final String instance;
  private long lastLog = System.currentTimeMillis();

  LoopStats(String instance) {
    this.instance = instance;
  }

  /** A batch transaction committed. */
  void committed(int ops, int records, long nanos) {
    committedOps.addAndGet(ops);
    transactions.incrementAndGet();
    transactionRecords.addAndGet(records);
    transactionNanos.addAndGet(nanos);
    long now = System.currentTimeMillis();
    if (now - lastLog >= 10_000) {
      lastLog = now;
      long n = Math.max(1, transactions.get());
      LOG.info("ot-service {}: {} transactions, {} records each on average, {} ms each on average",
          instance, transactions.get(), transactionRecords.get() / n, transactionNanos.get() / n / 1_000_000.0);
    }
  }
}
