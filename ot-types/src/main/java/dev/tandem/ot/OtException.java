package dev.tandem.ot;

/** An op, snapshot or presence value that is invalid for its type, with a message saying what and where. */
public final class OtException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public OtException(String message) {
    super(message);
  }

  public OtException(String message, Throwable cause) {
    super(message, cause);
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
