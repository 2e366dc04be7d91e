package dev.tandem.presence;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * How the loop treats a failure of its Kafka clients, sorted as Kafka's examples sort them: a
 * retriable error is retried in place (a bounded number of times in a row), anything else from
 * Kafka is fatal for the clients, which are closed and opened again after a bounded backoff, and a
 * misconfiguration that no restart can fix is still retried, slowly, and said loudly.
 */
enum LoopErrors {
  RETRIABLE, RESTART, MISCONFIGURED;

  /** Retriable errors in a row before the clients are restarted anyway. */
  static final int MAX_RETRIES = 10;

  static LoopErrors of(KafkaException e) {
    // A client that cannot be built wraps the reason ("Failed to construct kafka consumer").
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthenticationException || t instanceof AuthorizationException
          || t instanceof InvalidGroupIdException || t instanceof UnsupportedVersionException) {
        return MISCONFIGURED;
      }
    }
    return e instanceof RetriableException ? RETRIABLE : RESTART;
  }

  /** The wait before restart number {@code attempt} (1, 2, ...): doubling from 100 ms, at most 5 s. */
  static long backoffMillis(int attempt) {
    return Math.min(5_000, 100L << Math.min(6, Math.max(0, attempt - 1)));
  }
}
