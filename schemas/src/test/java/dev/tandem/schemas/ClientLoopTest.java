package dev.tandem.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/** The loop presence-service and media-signaling run their clients in, with clients that fail on cue. */
class ClientLoopTest {

  @Test
  void failuresAreSortedAndTheBackoffIsBounded() {
    assertEquals(ClientLoop.Failure.RETRIABLE, ClientLoop.Failure.of(new TimeoutException("slow")));
    assertEquals(ClientLoop.Failure.MISCONFIGURED, ClientLoop.Failure.of(new AuthorizationException("no")));
    assertEquals(ClientLoop.Failure.RESTART, ClientLoop.Failure.of(new KafkaException("broken")));
    assertEquals(ClientLoop.Failure.MISCONFIGURED, ClientLoop.Failure.of(new KafkaException(
        "Failed to construct kafka consumer", new InvalidGroupIdException("empty"))));
    assertEquals(100, ClientLoop.backoffMillis(1));
    assertEquals(200, ClientLoop.backoffMillis(2));
    assertEquals(5_000, ClientLoop.backoffMillis(50));
  }

  /** Clients whose n-th poll (over all of them) does what {@code script} says. */
  private static final class Scripted implements ClientLoop.Clients {
    static final AtomicInteger polls = new AtomicInteger();
    static final AtomicInteger opened = new AtomicInteger();
    static final AtomicInteger closed = new AtomicInteger();
    static volatile java.util.function.IntConsumer script = n -> { };
    final CountDownLatch woken = new CountDownLatch(1);

    Scripted() {
      opened.incrementAndGet();
    }

    @Override
    public void pollOnce() {
      script.accept(polls.incrementAndGet());
      try {
        if (woken.await(2, TimeUnit.MILLISECONDS)) {
          throw new WakeupException();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void wakeup() {
      woken.countDown();
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(condition.getAsBoolean(), what);
  }

  @Test
  void retriableErrorsAreRetriedInPlaceAndOthersRestartTheClientsWhileTheThreadLivesOn() throws Exception {
    Scripted.polls.set(0);
    Scripted.opened.set(0);
    Scripted.closed.set(0);
    // Polls 3-5: retriable (retried in place); 10: a Kafka failure; 20: a bug; later: quiet.
    Scripted.script = n -> {
      if (n >= 3 && n <= 5) {
        throw new TimeoutException("slow broker");
      }
      if (n == 10) {
        throw new KafkaException("fenced");
      }
      if (n == 20) {
        throw new IllegalStateException("a bug");
      }
    };
    ClientLoop loop = new ClientLoop("test loop", Scripted::new);
    Thread t = new Thread(loop, "client-loop-test");
    t.start();
    awaitTrue(() -> Scripted.polls.get() > 40, "the loop kept polling");
    assertEquals(2, loop.restartCount(), "restarted after the Kafka failure and after the bug, not for retriable ones");
    assertEquals(3, Scripted.opened.get());
    assertEquals(2, Scripted.closed.get());
    loop.stop(Duration.ofSeconds(5));
    t.join(5_000);
    assertFalse(t.isAlive(), "stop ends the thread");
    assertFalse(loop.running());
    assertEquals(3, Scripted.closed.get(), "the last clients are closed on stop");
  }

  @Test
  void clientsThatCannotBeOpenedAreTriedAgainWithBackoff() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    ClientLoop loop = new ClientLoop("test loop", () -> {
      if (attempts.incrementAndGet() < 3) {
        throw new KafkaException("Failed to construct kafka consumer", new AuthorizationException("no"));
      }
      Scripted.script = n -> { };
      return new Scripted();
    });
    Thread t = new Thread(loop, "client-loop-test");
    long start = System.nanoTime();
    t.start();
    awaitTrue(() -> attempts.get() >= 3, "opened at the third attempt");
    // 100 ms, then 200 ms, of backoff before the third attempt.
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(290));
    assertEquals(2, loop.restartCount());
    loop.stop(Duration.ofSeconds(5));
    t.join(5_000);
    assertFalse(t.isAlive());
  }
}
