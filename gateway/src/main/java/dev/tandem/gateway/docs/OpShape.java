package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import java.util.Optional;

/**
 * The shape of an edit, checked against the document's type before the op is produced to Kafka:
 * an op that is not an op of its type ({@code ERR_OT_OP_BADLY_FORMED}) or could apply nowhere
 * ({@code ERR_OT_OP_NOT_APPLIED}) is answered here and never reaches ot-service. Whether a
 * well-formed op applies to the document as it is then stays ot-service's to say.
 */
final class OpShape {

  private OpShape() {}

  /** The error for {@code op} under {@code type}, if the type's own checks refuse it. */
  static Optional<OpError> check(OtType type, JsonNode op) {
    if (op == null) {
      return Optional.of(new OpError(ShareDbErrors.OT_OP_BADLY_FORMED, "Missing op"));
    }
    try {
      type.checkOp(op);
      return Optional.empty();
    } catch (OtException e) {
      return Optional.of(errorOf(e));
    }
  }

  /** A type's refusal as ShareDB answers it: badly formed, or not applicable. */
  static OpError errorOf(OtException e) {
    String code = e.kind() == OtException.Kind.BADLY_FORMED
        ? ShareDbErrors.OT_OP_BADLY_FORMED : ShareDbErrors.OT_OP_NOT_APPLIED;
    return new OpError(code, e.getMessage());
  }
}
