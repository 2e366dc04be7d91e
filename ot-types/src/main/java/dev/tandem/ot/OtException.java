package dev.tandem.ot;

/**
 * An op, snapshot or presence value that is invalid for its type, with a message saying what and where.
 *
 * <p>Its {@link #kind()} says which ShareDB error it is: {@link Kind#BADLY_FORMED} for an op that
 * is not an op of its type at all (ShareDB's {@code ERR_OT_OP_BADLY_FORMED}: for json0, not an
 * array, or a component that is not an object with an array path {@code p}), {@link Kind#NOT_APPLIED}
 * for everything else (ShareDB's {@code ERR_OT_OP_NOT_APPLIED}: what the type's own checks and
 * apply refuse).
 */
public final class OtException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Which of ShareDB's two op errors this is. */
  public enum Kind {
    /** Not an op of its type: ShareDB's {@code ERR_OT_OP_BADLY_FORMED}. */
    BADLY_FORMED,
    /** A well-formed op that is invalid or does not apply here: ShareDB's {@code ERR_OT_OP_NOT_APPLIED}. */
    NOT_APPLIED
  }

  private final Kind kind;

  public OtException(String message) {
    this(Kind.NOT_APPLIED, message, null);
  }

  public OtException(String message, Throwable cause) {
    this(cause instanceof OtException o ? o.kind : Kind.NOT_APPLIED, message, cause);
  }

  public OtException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** An op that is not an op of its type at all. */
  public static OtException badlyFormed(String message) {
    return new OtException(Kind.BADLY_FORMED, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** A JSON value as an error message shows it: its kind and its first 60 characters. */
  public static String describe(com.fasterxml.jackson.databind.JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    String s = n.toString();
    return n.getNodeType().name().toLowerCase() + " " + (s.length() > 60 ? s.substring(0, 60) + "..." : s);
  }
}
