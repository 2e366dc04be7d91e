package dev.tandem.schemas;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loop over Kafka clients on a thread of its own that never dies silently, as presence-service
 * and media-signaling both run one. Client failures are sorted as in Kafka's examples: a
 * retriable error is retried in place (at most {@link #MAX_RETRIES} in a row); anything else from
 * Kafka, or a bug, closes the clients and opens new ones after a backoff doubling from 100 ms to
 * 5 s; a misconfiguration no restart can fix is retried the same way and said loudly. A record
 * that cannot be processed is the caller's to skip inside {@link Clients#pollOnce}: only what the
 * clients cannot get past reaches this loop. It ends only when {@link #stop}ped (or on an
 * {@link Error}, logged).
 */
public final class ClientLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(ClientLoop.class);

  /** Retriable errors in a row before the clients are restarted anyway. */
  public static final int MAX_RETRIES = 10;

  /** One set of open clients. */
  public interface Clients {
    /** One poll and its processing; throws what the clients cannot get past. */
    void pollOnce();

    /** Makes a blocked {@link #pollOnce} return (from another thread). */
    void wakeup();

    /** Closes the clients; never throws. */
    void close();
  }

  /** How a failure of the clients is treated. */
  public enum Failure {
    RETRIABLE, RESTART, MISCONFIGURED;

    public static Failure of(KafkaException e) {
      // A client that cannot be built wraps the reason ("Failed to construct kafka consumer").
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof AuthenticationException || t instanceof AuthorizationException
            || t instanceof InvalidGroupIdException || t instanceof UnsupportedVersionException) {
          return MISCONFIGURED;
        }
      }
      return e instanceof RetriableException ? RETRIABLE : RESTART;
    }
  }

  private final String name;
  private final Supplier<Clients> open;
  private final AtomicLong restarts = new AtomicLong();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile Clients clients;
  /** Failures since the last successful poll, for the backoff. */
  private int failures;

  /** {@code name} starts every log line; {@code open} builds a new set of clients (it may throw). */
  public ClientLoop(String name, Supplier<Clients> open) {
    this.name = name;
    this.open = open;
  }

  /** The wait before restart number {@code attempt} (1, 2, ...): doubling from 100 ms, at most 5 s. */
  public static long backoffMillis(int attempt) {
    return Math.min(5_000, 100L << Math.min(6, Math.max(0, attempt - 1)));
  }

  /** Not stopped (or ended by an Error). */
  public boolean running() {
    return running;
  }

  /** Times the clients were closed and opened again after a failure. */
  public long restartCount() {
    return restarts.get();
  }

  @Override
  public void run() {
    try {
      while (running) {
        try {
          clients = open.get();
          pollUntilStopped(clients);
        } catch (WakeupException e) {
          // stop() woke the clients
        } catch (KafkaException e) {
          failures++;
          logFailure(e);
        } catch (RuntimeException e) {
          failures++;
          LOG.error("{}: the loop failed (a bug); restarting its Kafka clients in {} ms", name, backoffMillis(failures), e);
        } finally {
          Clients c = clients;
          clients = null;
          if (c != null) {
            c.close();
          }
        }
        if (running) {
          restarts.incrementAndGet();
          stopRequested.await(backoffMillis(failures), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Error e) {
      LOG.error("{}: the loop thread died", name, e);
      throw e;
    } finally {
      running = false;
      stopped.countDown();
    }
  }

  private void pollUntilStopped(Clients c) {
    int retries = 0;
    while (running) {
      try {
        c.pollOnce();
        retries = 0;
        failures = 0;
      } catch (WakeupException e) {
        // stop() woke the clients; the loop condition ends it
      } catch (KafkaException e) {
        if (Failure.of(e) == Failure.RETRIABLE && ++retries <= MAX_RETRIES) {
          LOG.warn("{}: poll failed ({}), retry {} of {}", name, e.toString(), retries, MAX_RETRIES);
          continue;
        }
        throw e;
      }
    }
  }

  private void logFailure(KafkaException e) {
    long wait = backoffMillis(failures);
    if (Failure.of(e) == Failure.MISCONFIGURED) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      LOG.error("{}: Kafka refuses this service ({}); check its settings; retrying in {} ms", name, root.toString(), wait);
    } else {
      LOG.error("{}: Kafka clients failed; restarting them in {} ms", name, wait, e);
    }
  }

  /** Stops the loop and waits up to {@code timeout} for its thread to end. */
  public void stop(Duration timeout) throws InterruptedException {
    running = false;
    stopRequested.countDown();
    Clients c = clients;
    if (c != null) {
      c.wakeup();
    }
    stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
