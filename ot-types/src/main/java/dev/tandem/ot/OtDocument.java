package dev.tandem.ot;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A document held in a form that applies ops in place, for the server's hot path.
 *
 * <p>{@link #apply} is all or nothing: when it throws, the document is as it was.
 * Instances are not thread-safe.
 */
public interface OtDocument {

  /** The type of this document. */
  OtType type();

  /** Applies {@code op}; throws {@link OtException} and changes nothing when the op is invalid here. */
  void apply(JsonNode op);

  /** The current content as a snapshot value (a copy, never a view). */
  JsonNode snapshot();
}
