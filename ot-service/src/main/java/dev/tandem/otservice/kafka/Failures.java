package dev.tandem.otservice.kafka;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * How the loop sorts what goes wrong, as Kafka's exactly-once examples do.
 *
 * <ul>
 *   <li><b>fatal</b> for these clients: the producer was fenced, lost its sequence, or lost its
 *       rights, or the broker does not speak the protocol. The loop closes its clients and opens
 *       fresh ones (a fenced instance stops: a newer one owns its transactional id).
 *   <li><b>abortable</b>: any other Kafka error. The transaction is aborted, the documents of its
 *       partitions are rebuilt from the log, and the batch is tried again a bounded number of
 *       times ({@link PoisonIsolation}).
 *   <li><b>a record that cannot be processed</b> ({@link RecordFailure}): the record's own output
 *       is refused ({@link #recordsOwn}) or processing it hit a bug. It is answered with a
 *       rejection and skipped.
 * </ul>
 */
final class Failures {

  private Failures() {}

  static boolean fatal(Throwable e) {
    return e instanceof ProducerFencedException || e instanceof OutOfOrderSequenceException
        || e instanceof AuthorizationException || e instanceof UnsupportedVersionException
        || e instanceof FencedInstanceIdException;
  }

  /** Whether a Kafka error is about one record's content (its size, its bytes), not about Kafka. */
  static boolean recordsOwn(Throwable e) {
    return e instanceof RecordTooLargeException || e instanceof SerializationException;
  }

  /** Whether {@code e}, thrown while processing one record, is that record's fault rather than Kafka's. */
  static boolean blamesRecord(Throwable e) {
    return !(e instanceof KafkaException) || recordsOwn(e);
  }

  /** Processing one record failed; the batch must be tried again without it. */
  static final class RecordFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Object record;

    RecordFailure(Object record, Throwable cause) {
      super(cause.toString(), cause);
      this.record = record;
    }
  }

  /** A transaction failed for a reason no single record is known to have caused. */
  static final class BatchFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BatchFailure(Throwable cause) {
      super(cause.toString(), cause);
    }
  }

  /** The loop cannot go on with these clients. */
  static final class FatalLoopException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FatalLoopException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
