package dev.tandem.otservice.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OtType;
import dev.tandem.schemas.CommittedOp;

/**
 * A committed op kept in a document's history window, for transforming later submissions
 * and recognising resubmitted ones.
 *
 * @param type the document's type when the op was committed (null for a delete)
 * @param bytes what it costs the window: its serialized size, as counted when it was applied
 */
public record WindowOp(long v, String src, long seq, String kind, JsonNode op, OtType type, long bytes) {

  static WindowOp of(CommittedOp c, OtType type, long bytes) {
    return new WindowOp(c.v(), c.src(), c.seq(), c.kind(), c.op(), type, bytes);
  }
}
