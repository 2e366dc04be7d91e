package dev.tandem.otservice.state;

import dev.tandem.ot.EditLocks;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.OpError;

/** What became of a submitted op. */
public sealed interface SubmitOutcome {

  /** Committed as {@code op} (transformed, with its version). */
  record Committed(CommittedOp op) implements SubmitOutcome {}

  /** Committed before, at version {@code v}: the client resent it and gets an ack. */
  record Duplicate(long v) implements SubmitOutcome {}

  /** Refused with a ShareDB error; a refused lock names the lock in the way ({@code holder}, else null). */
  record Rejected(OpError error, EditLocks.Lock holder) implements SubmitOutcome {

    public Rejected(OpError error) {
      this(error, null);
    }
  }
}
