package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OtType;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import java.util.Optional;

/**
 * The shape of an edit, checked against the document's type before the op is produced to Kafka:
 * a malformed op is answered {@code ERR_OT_OP_BADLY_FORMED} here and never reaches ot-service.
 * Whether a well-formed op applies is ot-service's to say ({@code ERR_OT_OP_NOT_APPLIED}).
 */
final class OpShape {

  private OpShape() {}

  /**
   * The error for {@code op} under {@code type}, if it is malformed. Both types take an array of
   * components; a null component is malformed in both.
   * TODO(ot-types checkOp): when ot-types has its pure op validator, this body becomes one call to it.
   */
  static Optional<OpError> check(OtType type, JsonNode op) {
    if (op == null || !op.isArray()) {
      return Optional.of(new OpError(ShareDbErrors.OT_OP_BADLY_FORMED, "An op of type " + type.name()
          + " is an array of components"));
    }
    for (JsonNode c : op) {
      if (c.isNull()) {
        return Optional.of(new OpError(ShareDbErrors.OT_OP_BADLY_FORMED, "An op component cannot be null"));
      }
    }
    return Optional.empty();
  }
}
