package dev.tandem.ot;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An operational-transformation type at the JSON level, as the ottypes spec and ShareDB see it.
 *
 * <p>Every method is pure: inputs are never modified and results never share mutable
 * structure with them. Every invalid input throws {@link OtException}; no other exception
 * escapes.
 */
public interface OtType {

  /** The short name ShareDB clients use, such as {@code "text-unicode"}. */
  String name();

  /** The uri ShareDB clients send in a create op. */
  String uri();

  /** The initial snapshot for a create op carrying {@code initialData} (JSON null or missing when absent). */
  JsonNode create(JsonNode initialData);

  /** The snapshot after {@code op} is applied to {@code snapshot}. */
  JsonNode apply(JsonNode snapshot, JsonNode op);

  /** {@code op} rewritten to apply after {@code other}; {@code side} breaks ties between inserts at one place. */
  JsonNode transform(JsonNode op, JsonNode other, Side side);

  /** One op with the effect of {@code first} followed by {@code second}. */
  JsonNode compose(JsonNode first, JsonNode second);

  /** The canonical form of {@code op}. */
  JsonNode normalize(JsonNode op);

  /** The op that undoes {@code op}; throws where the op lacks what it deleted. */
  JsonNode invert(JsonNode op);

  /** Whether {@code op} changes nothing. */
  boolean isNoop(JsonNode op);

  /**
   * A presence value (a cursor or selection) moved through {@code op}; JSON null when the
   * thing it pointed at is gone or the presence was null.
   *
   * @param ownOp whether the op comes from the same client as the presence: its own inserts
   *     at the cursor push the cursor forward, other people's do not
   */
  JsonNode transformPresence(JsonNode presence, JsonNode op, boolean ownOp);

  /**
   * Checks that {@code op} is an op of this type that could apply somewhere, without a document:
   * the validation the edge runs before it hands an op on. Throws {@link OtException} whose
   * {@link OtException#kind()} gives ShareDB's code ({@code ERR_OT_OP_BADLY_FORMED} or
   * {@code ERR_OT_OP_NOT_APPLIED}); returns normally for a valid op. Pure and cheap (linear in
   * the op).
   */
  void checkOp(JsonNode op);

  /**
   * The deepest nesting {@code op} can give a document of this type where it applies: for json0,
   * over its components, the path's length plus the depth of the value inserted there (see
   * {@link JsonMeasure#depth}); 0 for types whose documents do not nest. Computed from the op
   * alone, so a depth limit costs nothing per document. Assumes {@link #checkOp} passed.
   */
  int nestingDepth(JsonNode op);

  /** A mutable document of this type for the server's hot path: applies ops in place. */
  OtDocument open(JsonNode snapshot);
}
