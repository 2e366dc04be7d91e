package dev.tandem.history;

/** A request history cannot answer: an unknown document, a version past the end, Kafka unreachable. */
public final class HistoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, so servers can map it to their error codes. */
  public enum Kind { UNKNOWN_DOCUMENT, PAST_THE_END, CORRUPTED, UNREACHABLE }

  private final Kind kind;

  public HistoryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
