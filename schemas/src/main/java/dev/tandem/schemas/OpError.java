package dev.tandem.schemas;

/** An error as ShareDB sends it: one of {@link ShareDbErrors}' codes and a message for people. */
public record OpError(String code, String message) {

  public OpError {
    if (code == null || code.isEmpty()) {
      throw new IllegalArgumentException("an error needs a code");
    }
    message = message == null ? "" : message;
  }
}
