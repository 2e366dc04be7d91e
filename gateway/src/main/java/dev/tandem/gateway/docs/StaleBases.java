package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.history.DocHistory;
import dev.tandem.history.Progress;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.ot.Side;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Optional;

/**
 * Ops based on a version older than the history ot-service keeps in memory (its window), brought
 * up to date from the event log, as ShareDB's server reads old ops from its database: a client
 * that fell far behind (a busy tab among many writers) does not lose its edit to
 * {@code ERR_SUBMIT_TRANSFORM_OPS_NOT_FOUND} and the rollback that follows. On a worker, the
 * ops committed since the op's base are read from the log, the op is transformed past them as
 * ot-service transforms (LEFT), and it is sent again at the version after them; ot-service
 * transforms it past the rest. Finding its own commit among them (an op resent after a lost ack)
 * makes it a duplicate.
 *
 * <p>Bounded: at most {@link #MAX_OPS} ops are read for one op, at most {@link #MAX_IN_FLIGHT}
 * rebases wait or run at once on {@link #WORKERS} threads, and an op is rebased at most
 * {@link #MAX_ATTEMPTS} times; past any bound the client hears the original error.
 */
final class StaleBases {

  static final int MAX_OPS = 50_000;
  static final int MAX_IN_FLIGHT = 64;
  static final int MAX_ATTEMPTS = 3;
  static final int WORKERS = 2;

  /** What reading the log made of the op. */
  sealed interface Outcome {}

  /** The op as it applies at {@code op.v()}, to be sent again. */
  record Rebased(SubmittedOp op) implements Outcome {}

  /** The op was committed already, at version {@code v}. */
  record Duplicate(long v) implements Outcome {}

  /** The op cannot be brought up to date: the client hears {@code error}. */
  record Refused(OpError error) implements Outcome {}

  private final HistoryReads history;
  private final WorkerExecutor workers;
  private int inFlight;

  StaleBases(Vertx vertx, HistoryReads history) {
    this.history = history;
    this.workers = vertx.createSharedWorkerExecutor("tandem-stale-bases", WORKERS);
  }

  /** Whether {@code error}, for {@code op}, is one a read of the log can answer. */
  static boolean answers(OpError error, SubmittedOp op) {
    return ShareDbErrors.SUBMIT_TRANSFORM_OPS_NOT_FOUND.equals(error.code()) && "op".equals(op.kind())
        && op.v() != null;
  }

  /**
   * Reads the log since {@code op}'s base and rebases it; empty when too many rebases are under
   * way. Called on the hub's event loop; the future completes there.
   */
  Optional<Future<Outcome>> rebase(SubmittedOp op, OtType type, OpError original) {
    if (inFlight >= MAX_IN_FLIGHT) {
      return Optional.empty();
    }
    inFlight++;
    Future<Outcome> read = history.withHistory(workers, h -> past(h, op, type, original));
    return Optional.of(read.andThen(x -> inFlight--));
  }

  /** {@code op} transformed past the ops the log holds from its base, at most {@link #MAX_OPS}. */
  static Outcome past(DocHistory history, SubmittedOp op, OtType type, OpError original) {
    long base = op.v();
    JsonNode[] edit = {op.op()};
    long[] next = {base};
    Outcome[] stopped = {null};
    history.ops(op.key(), base, base + MAX_OPS, logged -> {
      CommittedOp c = logged.op();
      if (c.v() != next[0]) {
        stopped[0] = new Refused(original); // a gap: the log does not hold what the op needs
        return false;
      }
      if (c.src().equals(op.src()) && c.seq() == op.seq()) {
        stopped[0] = new Duplicate(c.v());
        return false;
      }
      switch (c.kind()) {
        case "del" -> stopped[0] = new Refused(new OpError(ShareDbErrors.DOC_WAS_DELETED, "Document was deleted"));
        case "create" -> stopped[0] = new Refused(new OpError(ShareDbErrors.DOC_ALREADY_CREATED,
            "Document was created remotely"));
        default -> {
          try {
            edit[0] = type.transform(edit[0], c.op(), Side.LEFT);
          } catch (OtException e) {
            stopped[0] = new Refused(OpShape.errorOf(e));
          }
        }
      }
      next[0]++;
      return stopped[0] == null;
    }, Progress.NONE);
    if (stopped[0] != null) {
      return stopped[0];
    }
    if (next[0] == base) {
      return new Refused(original); // nothing from the base on: gone from the log (retention)
    }
    return new Rebased(new SubmittedOp(op.schema(), op.kind(), op.c(), op.d(), op.src(), op.seq(), next[0], edit[0],
        op.create(), op.del(), op.gateway(), op.request(), op.user(), op.ts(), op.lock()));
  }
}
