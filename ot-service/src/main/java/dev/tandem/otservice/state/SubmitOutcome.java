package dev.tandem.otservice.state;

import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.OpError;

/** What became of a submitted op. */
public sealed interface SubmitOutcome {

  /** Committed as {@code op} (transformed, with its version). */
  record Committed(CommittedOp op) implements SubmitOutcome {}

  /** Committed before, at version {@code v}: the client resent it and gets an ack. */
  record Duplicate(long v) implements SubmitOutcome {}

  /** Refused with a ShareDB error. */
  record Rejected(OpError error) implements SubmitOutcome {}
}
