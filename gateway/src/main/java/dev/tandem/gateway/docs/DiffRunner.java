package dev.tandem.gateway.docs;

import dev.tandem.gateway.TransportConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the diffs of whole-content PUTs on threads of their own (never the event loop, never
 * Vert.x's shared worker pool, which history reads need), each within the configured size and
 * time budget, and bounds the PUTs in progress. {@link #close} interrupts running diffs, which
 * stop at their next step, so a stopping gateway never waits for one.
 */
public final class DiffRunner implements AutoCloseable {

  private final TransportConfig config;
  private final Semaphore permits;
  private final ThreadPoolExecutor pool;

  public DiffRunner(TransportConfig config) {
    this.config = config;
    this.permits = new Semaphore(config.maxConcurrentPuts());
    AtomicInteger n = new AtomicInteger();
    // Each PUT takes a permit first; the queue is bounded as well, since a client that hangs up
    // gives its permit back while its diff may still be waiting here.
    this.pool = new ThreadPoolExecutor(config.diffThreads(), config.diffThreads(), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.maxConcurrentPuts()), r -> {
          Thread t = new Thread(r, "put-diff-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
  }

  /** Takes a place for one PUT; false when {@code maxConcurrentPuts} are in progress. */
  public boolean tryStart() {
    return permits.tryAcquire();
  }

  /** Gives back the place {@link #tryStart} took. */
  public void finished() {
    permits.release();
  }

  public int limit() {
    return config.maxConcurrentPuts();
  }

  /** The op from {@code before} to {@code after}; completes on a diff thread. */
  public Future<TextDiff.Result> diff(String before, String after) {
    Promise<TextDiff.Result> result = Promise.promise();
    Task task = new Task(before, after, result);
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      if (pool.isShutdown()) {
        task.cancel();
      } else {
        result.tryFail(new Busy());
      }
    }
    return result.future();
  }

  /** Cancels every diff, running or queued. */
  @Override
  public void close() {
    for (Runnable queued : pool.shutdownNow()) {
      ((Task) queued).cancel();
    }
  }

  /** Every diff thread is busy and the queue is full. */
  public static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy() {
      super("every diff thread is busy", null, false, false);
    }
  }

  /** One diff: its deadline starts when a thread takes it up. */
  private final class Task implements Runnable {
    private final String before;
    private final String after;
    private final Promise<TextDiff.Result> result;

    Task(String before, String after, Promise<TextDiff.Result> result) {
      this.before = before;
      this.after = after;
      this.result = result;
    }

    @Override
    public void run() {
      try {
        TextDiff.Budget budget = new TextDiff.Budget(config.maxDiffChars(), System.nanoTime() + config.diffTimeout().toNanos());
        result.tryComplete(TextDiff.op(before, after, budget));
      } catch (RuntimeException e) {
        result.tryFail(e);
      }
    }

    void cancel() {
      result.tryFail(new CancellationException("the gateway is stopping"));
    }
  }
}
