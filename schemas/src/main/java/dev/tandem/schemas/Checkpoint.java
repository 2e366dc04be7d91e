package dev.tandem.schemas;

/**
 * A record of {@code tandem.snapshots} under the key {@value #KEY}, one per partition: every
 * document with ops below {@code offset} in that partition of the event log has a snapshot at
 * least as new as those ops. A new owner replays the log from {@code offset} only.
 */
public record Checkpoint(int schema, long offset, long ts) {

  public static final String KEY = "__checkpoint";

  public Checkpoint {
    Records.require(schema == 1, "schema must be 1");
    Records.require(offset >= 0, "offset must be >= 0");
  }
}
