package dev.tandem.schemas;

/**
 * A record of {@code tandem.snapshots} under the key {@value #KEY}, one per partition: every
 * document with ops below {@code offset} in that partition of the event log has a snapshot at
 * least as new as those ops. A new owner applies the log from {@code offset}; it reads from
 * {@code replayFrom} (an earlier offset) to refill the documents' history windows, so that ops
 * in flight during a takeover can still be transformed.
 */
public record Checkpoint(int schema, long offset, long replayFrom, long ts) {

  public static final String KEY = "__checkpoint";

  public Checkpoint {
    Records.require(schema == 1, "schema must be 1");
    Records.require(offset >= 0, "offset must be >= 0");
    Records.require(replayFrom >= 0 && replayFrom <= offset, "replayFrom must be in [0, offset]");
  }
}
