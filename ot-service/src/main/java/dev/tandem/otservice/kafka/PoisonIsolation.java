package dev.tandem.otservice.kafka;

import dev.tandem.otservice.kafka.Failures.BatchFailure;
import dev.tandem.otservice.kafka.Failures.FatalLoopException;
import dev.tandem.otservice.kafka.Failures.RecordFailure;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch of records in transactions until it commits, setting aside the records that
 * make it fail, so that one bad record never holds up the records behind it:
 *
 * <pre>
 *   whole batch ──ok──> done
 *      │ a record failed (RecordFailure) ──> that record is poison; whole batch again
 *      │ the transaction failed, nobody to blame (BatchFailure) ──> again, at most BLIND_RETRIES times
 *      v
 *   one record per transaction: a record that fails alone twice is poison;
 *   a poison record's transaction only answers it with a rejection;
 *   if even that fails, the fault is not the record's: FatalLoopException
 * </pre>
 *
 * An attempt that throws must have aborted its transaction and restored the state it touched.
 * Every path is bounded: at most {@code BLIND_RETRIES + 1 + poison} whole-batch attempts, then
 * at most three transactions per record.
 */
final class PoisonIsolation {

  private static final Logger LOG = LoggerFactory.getLogger(PoisonIsolation.class);
  /** Whole-batch retries after failures no record is blamed for (a broker restarting, a timeout). */
  static final int BLIND_RETRIES = 2;
  /** Poison records found one by one in whole-batch attempts before going record by record. */
  static final int MAX_POISON_PER_BATCH = 8;

  /** One transaction over {@code records}, where the records in {@code poison} are only answered. */
  interface Attempt<R> {
    void run(List<R> records, Set<R> poison);
  }

  private final Backoff backoff;

  /** How long to wait before retrying after a failure nobody is blamed for. */
  interface Backoff {
    void pause(int attempt);
  }

  PoisonIsolation(Backoff backoff) {
    this.backoff = backoff;
  }

  /** Processes {@code records}; returns the records set aside as poison (identity). */
  <R> Set<R> process(List<R> records, Attempt<R> attempt) {
    Set<R> poison = Collections.newSetFromMap(new IdentityHashMap<>());
    int blind = 0;
    while (true) {
      try {
        attempt.run(records, poison);
        return poison;
      } catch (RecordFailure f) {
        R r = find(records, f.record);
        if (r == null || poison.contains(r)) {
          throw new FatalLoopException("answering a record set aside still fails", f.getCause());
        }
        LOG.warn("setting aside a record that cannot be processed: {}", f.getMessage());
        poison.add(r);
        if (poison.size() >= MAX_POISON_PER_BATCH) {
          break;
        }
      } catch (BatchFailure f) {
        if (++blind > BLIND_RETRIES) {
          LOG.warn("a batch of {} records failed {} times; trying them one by one: {}", records.size(), blind,
              f.getMessage());
          break;
        }
        backoff.pause(blind);
      }
    }
    for (R r : records) {
      one(r, poison, attempt);
    }
    return poison;
  }

  private <R> void one(R r, Set<R> poison, Attempt<R> attempt) {
    List<R> alone = List.of(r);
    for (int tries = 0; tries < 2 && !poison.contains(r); tries++) {
      try {
        attempt.run(alone, poison);
        return;
      } catch (RecordFailure f) {
        LOG.warn("setting aside a record that cannot be processed: {}", f.getMessage());
        poison.add(r);
      } catch (BatchFailure f) {
        backoff.pause(tries + 1);
      }
    }
    poison.add(r);
    try {
      attempt.run(alone, poison);
    } catch (RecordFailure | BatchFailure f) {
      throw new FatalLoopException("a transaction that only answers one record fails", f.getCause());
    }
  }

  private static <R> R find(List<R> records, Object record) {
    for (R r : records) {
      if (r == record) {
        return r;
      }
    }
    return null;
  }
}
