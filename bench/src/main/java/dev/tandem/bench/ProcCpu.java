package dev.tandem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CPU time of processes from {@code /proc/PID/stat} (user + system, all threads), so a figure
 * can say how many cores the server used while it was measured.
 */
final class ProcCpu {

  private static final long TICK_NANOS = 1_000_000_000L / clockTicks();

  private ProcCpu() {}

  /** CPU nanoseconds used so far by each of the processes still alive. */
  static Map<Long, Long> sample(Set<Long> pids) {
    Map<Long, Long> out = new HashMap<>();
    for (long pid : pids) {
      cpuNanos(pid).ifPresent(n -> out.put(pid, n));
    }
    return out;
  }

  /** The processes whose command is {@code name} (PostgreSQL's server and its backends). */
  static Set<Long> named(String name) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.map(p -> p.getFileName().toString()).filter(s -> s.chars().allMatch(Character::isDigit))
          .map(Long::parseLong).filter(pid -> comm(pid).equals(name)).collect(java.util.stream.Collectors.toSet());
    } catch (IOException e) {
      return Set.of();
    }
  }

  /**
   * CPU used between two samples: a process in the second and not the first started in between,
   * so all of its time counts; one that ended in between is lost (PostgreSQL keeps its backends).
   */
  static long between(Map<Long, Long> before, Map<Long, Long> after) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  private static java.util.Optional<Long> cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the command (which may hold spaces, so find its closing parenthesis):
      // state is field 3, utime 14, stime 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return java.util.Optional.of((Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS);
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | RuntimeException e) {
      // the Linux default below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
