package dev.tandem.presence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kafka.local.SharedKafka;
import dev.tandem.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop's thread against clients that keep failing: it restarts them with a backoff, says it is down, never dies. */
class PresenceLoopTest {

  @Test
  @Timeout(60)
  void clientsThatCannotWorkAreRestartedWithBackoffAndTheThreadLives() throws Exception {
    // An empty group id: Kafka refuses the subscription every time the clients are opened.
    PresenceConfig config = PresenceConfig.fromEnv(Map.of()).with(SharedKafka.bootstrapServers(),
        new Topics("p" + UUID.randomUUID().toString().substring(0, 8)), "", "presence-" + UUID.randomUUID(),
        Duration.ofSeconds(5));
    PresenceLoop loop = new PresenceLoop(config);
    Thread thread = new Thread(loop, "presence-test");
    thread.start();
    long deadline = System.currentTimeMillis() + 30_000;
    while (loop.restartCount() < 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(loop.restartCount() >= 3, "restarts: " + loop.restartCount());
    assertTrue(thread.isAlive(), "the loop thread died");
    assertFalse(loop.progressing());
    long started = System.nanoTime();
    loop.stop(Duration.ofSeconds(10));
    thread.join(10_000);
    assertFalse(thread.isAlive(), "the loop did not stop");
    assertTrue((System.nanoTime() - started) / 1_000_000 < 10_000);
  }
}
