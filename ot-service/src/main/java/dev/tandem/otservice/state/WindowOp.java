package dev.tandem.otservice.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OtType;
import dev.tandem.schemas.CommittedOp;

/**
 * A committed op kept in a document's history window, for transforming later submissions
 * and recognising resubmitted ones.
 *
 * @param type the document's type when the op was committed (null for a delete)
 */
public record WindowOp(long v, String src, long seq, String kind, JsonNode op, OtType type) {

  static WindowOp of(CommittedOp c, OtType type) {
    return new WindowOp(c.v(), c.src(), c.seq(), c.kind(), c.op(), type);
  }
}
