package dev.tandem.otservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.otservice.kafka.Failures.BatchFailure;
import dev.tandem.otservice.kafka.Failures.FatalLoopException;
import dev.tandem.otservice.kafka.Failures.RecordFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The loop's error sorting on a batch, with a transaction that fails as a real one would: it
 * commits the records it is given unless one of them is bad, or the "broker" is down.
 */
class PoisonIsolationTest {

  /** A record: a partition's op with a name. */
  private record Rec(int partition, String name) {}

  /** Commits what it is given, answering poison with a rejection; remembers every transaction. */
  private static final class Ledger implements PoisonIsolation.Attempt<Rec> {
    final List<Rec> committed = new ArrayList<>();
    final List<Rec> rejected = new ArrayList<>();
    final Predicate<Rec> bad;
    final boolean blameable;
    int brokerDownFor;
    int transactions;

    Ledger(Predicate<Rec> bad, boolean blameable) {
      this.bad = bad;
      this.blameable = blameable;
    }

    @Override
    public void run(List<Rec> records, Set<Rec> poison) {
      transactions++;
      if (brokerDownFor > 0) {
        brokerDownFor--;
        throw new BatchFailure(new TimeoutException("broker down"));
      }
      List<Rec> ok = new ArrayList<>();
      List<Rec> no = new ArrayList<>();
      for (Rec r : records) {
        if (poison.contains(r)) {
          no.add(r);
        } else if (bad.test(r)) {
          // A bug while processing r, or its output refused: the transaction aborts.
          throw blameable ? new RecordFailure(r, new IllegalStateException("cannot process " + r.name()))
              : new BatchFailure(new IllegalStateException("commit failed"));
        } else {
          ok.add(r);
        }
      }
      committed.addAll(ok);
      rejected.addAll(no);
    }
  }

  private static final PoisonIsolation ISOLATION = new PoisonIsolation(attempt -> { });

  private static List<Rec> batch() {
    return List.of(new Rec(0, "a1"), new Rec(0, "poison"), new Rec(0, "a2"), new Rec(1, "b1"), new Rec(1, "b2"));
  }

  @Test
  void aPoisonRecordIsRejectedOnceAndThePartitionMovesOn() {
    List<Rec> records = batch();
    Ledger ledger = new Ledger(r -> r.name().equals("poison"), true);
    Set<Rec> poison = ISOLATION.process(records, ledger);
    assertEquals(Set.of(records.get(1)), poison);
    assertEquals(List.of(records.get(1)), ledger.rejected);
    assertEquals(List.of(records.get(0), records.get(2), records.get(3), records.get(4)), ledger.committed);
    assertEquals(2, ledger.transactions);
  }

  @Test
  void aRecordNobodyBlamesIsFoundOneByOneAndSetAsideWhileTheOthersCommit() {
    List<Rec> records = batch();
    Ledger ledger = new Ledger(r -> r.name().equals("poison"), false);
    Set<Rec> poison = ISOLATION.process(records, ledger);
    assertEquals(Set.of(records.get(1)), poison);
    assertEquals(List.of(records.get(1)), ledger.rejected);
    assertEquals(4, ledger.committed.size());
    assertTrue(ledger.committed.containsAll(List.of(records.get(0), records.get(2), records.get(3), records.get(4))));
    // 1 + BLIND_RETRIES whole-batch attempts, then per record: 4 good ones once, the bad one twice plus its answer.
    assertEquals(1 + PoisonIsolation.BLIND_RETRIES + 4 + 3, ledger.transactions);
  }

  @Test
  void aBrokerThatComesBackWithinTheRetriesLosesNothing() {
    List<Rec> records = batch();
    Ledger ledger = new Ledger(r -> false, true);
    ledger.brokerDownFor = PoisonIsolation.BLIND_RETRIES;
    assertEquals(Set.of(), ISOLATION.process(records, ledger));
    assertEquals(records, ledger.committed);
    assertEquals(List.of(), ledger.rejected);
  }

  @Test
  void aBrokerThatStaysDownIsFatalInsteadOfRejectingEveryone() {
    Ledger ledger = new Ledger(r -> false, true);
    ledger.brokerDownFor = Integer.MAX_VALUE;
    assertThrows(FatalLoopException.class, () -> ISOLATION.process(batch(), ledger));
    assertEquals(List.of(), ledger.committed);
    // Bounded: whole-batch retries, then two tries and an answer for the first record only.
    assertEquals(1 + PoisonIsolation.BLIND_RETRIES + 3, ledger.transactions);
  }

  @Test
  void manyPoisonRecordsGoRecordByRecordAndStayBounded() {
    List<Rec> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(new Rec(i % 3, i % 2 == 0 ? "bad" + i : "good" + i));
    }
    Ledger ledger = new Ledger(r -> r.name().startsWith("bad"), true);
    Set<Rec> poison = ISOLATION.process(records, ledger);
    assertEquals(20, poison.size());
    assertEquals(20, ledger.committed.size());
    assertTrue(ledger.transactions <= PoisonIsolation.MAX_POISON_PER_BATCH + 3 * records.size());
  }
}
