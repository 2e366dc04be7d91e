package dev.tandem.otservice.kafka;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether the loop makes progress, for {@code /health}: written by the loop's thread, read by
 * any. The loop is progressing while it runs and has finished a poll iteration (or, during a
 * long rebuild, read a stretch of the log) within {@link #STALL}; it is not while it starts,
 * restarts its clients after a fatal error, or after it stopped, was fenced or crashed.
 */
public final class LoopHealth {

  /** A loop that has not finished an iteration for this long is wedged. */
  public static final Duration STALL = Duration.ofSeconds(60);

  /** What the loop is doing. */
  public enum State {
    /** Opening its clients and joining the group. */
    STARTING,
    /** Rebuilding partitions it was given: alive, not yet answering for them. */
    REBUILDING,
    /** Polling and processing. */
    RUNNING,
    /** Backing off after a fatal error, before fresh clients. */
    RESTARTING,
    /** Stopped on request, or halted. */
    STOPPED,
    /** A newer incarnation took over its transactional id: this one stays stopped. */
    FENCED
  }

  /** A reading of the loop's health. */
  public record Status(State state, Instant lastProgress, String lastError, boolean progressing) {}

  private volatile State state = State.STARTING;
  private volatile long lastProgress = System.currentTimeMillis();
  private volatile String lastError = "";

  void state(State s) {
    state = s;
  }

  /** The loop finished an iteration, or a stretch of a long rebuild. */
  void beat() {
    lastProgress = System.currentTimeMillis();
  }

  void failed(Throwable e) {
    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Whether the loop runs and finished an iteration within {@link #STALL}. */
  public boolean progressing() {
    return state == State.RUNNING && System.currentTimeMillis() - lastProgress < STALL.toMillis();
  }

  /** Whether the loop works, polling or rebuilding, and did something within {@link #STALL}: liveness. */
  public boolean alive() {
    return (state == State.RUNNING || state == State.REBUILDING)
        && System.currentTimeMillis() - lastProgress < STALL.toMillis();
  }

  public Status status() {
    return new Status(state, Instant.ofEpochMilli(lastProgress), lastError, progressing());
  }
}
