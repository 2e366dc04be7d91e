package dev.tandem.bench;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process {@link ClientBench} starts, so that each is stopped at the end whatever
 * happens: by its owner's {@code close()}, or by a shutdown hook when the JVM is interrupted.
 */
final class Children {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> stop(p, 5)), "stop-children"));
  }

  private Children() {}

  static Process start(ProcessBuilder pb) throws java.io.IOException {
    Process p = pb.start();
    LIVE.add(p);
    return p;
  }

  /** SIGTERM, up to {@code graceSeconds} to exit, then SIGKILL; false when it had to be killed. */
  static boolean stop(Process p, int graceSeconds) {
    try {
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return false;
    } finally {
      LIVE.remove(p);
    }
  }
}
