package dev.tandem.gateway.docs;

import dev.tandem.history.DocHistory;
import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** History answered from the Kafka log, on worker threads (every read blocks). */
public final class HistoryReads {

  private final Vertx vertx;
  private final String bootstrap;
  private final Topics topics;

  public HistoryReads(Vertx vertx, String bootstrap, Topics topics) {
    this.vertx = vertx;
    this.bootstrap = bootstrap;
    this.topics = topics;
  }

  /** The document after {@code version} ops, or as of {@code timestamp}; completes on the caller's context. */
  public Future<DocHistory.Snapshot> snapshot(DocKey key, Long version, Long timestamp) {
    return vertx.executeBlocking(withLogOpen(h -> h.at(key, version, timestamp, Progress.NONE)), false);
  }

  /** {@code work} on one of {@code workers} with the log open; completes on the caller's context. */
  <T> Future<T> withHistory(WorkerExecutor workers, Function<DocHistory, T> work) {
    return workers.executeBlocking(withLogOpen(work), false);
  }

  /** {@code work} with a reader of the log, opened for it and closed after: blocks. */
  private <T> Callable<T> withLogOpen(Function<DocHistory, T> work) {
    return () -> {
      try (LogReader reader = new LogReader(bootstrap)) {
        return work.apply(new DocHistory(reader, topics));
      }
    };
  }

  /** A reader and the document's history, for a worker that streams. */
  DocHistory open(LogReader reader) {
    return new DocHistory(reader, topics);
  }
}
