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
}
