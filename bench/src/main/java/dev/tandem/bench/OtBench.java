package dev.tandem.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The OT benchmarks in one run: trace replays and text transforms under JMH, then the same
 * automerge-paper replay with npm ot-text-unicode under Node, and a summary of the figures.
 *
 * <p>Usage: {@code java -jar bench/target/tandem-bench.jar [--quick] [--no-node]}.
 */
public final class OtBench {

  private OtBench() {}

  public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
    boolean quick = java.util.Arrays.asList(args).contains("--quick");
    boolean node = !java.util.Arrays.asList(args).contains("--no-node");
    Path traces = EditTrace.defaultDir().toAbsolutePath();
    Options opts = new OptionsBuilder()
        .include(TraceReplayBench.class.getSimpleName())
        .include(TransformBench.class.getSimpleName())
        .forks(1)
        .warmupIterations(quick ? 2 : 5)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 3 : 10)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("-Xmx2g", "-Dtandem.traces=" + traces)
        .build();
    Collection<RunResult> results = new Runner(opts).run();

    System.out.println();
    System.out.println("== Tandem OT figures (" + Runtime.getRuntime().availableProcessors() + " cores) ==");
    for (RunResult r : results) {
      var primary = r.getPrimaryResult();
      String label = r.getParams().getBenchmark().replace("dev.tandem.bench.", "");
      String trace = r.getParams().getParam("trace");
      System.out.printf(Locale.ROOT, "%-32s %-20s %,14.3f ± %,.3f %s%n", label, trace == null ? "" : trace,
          primary.getScore(), primary.getScoreError(), primary.getScoreUnit());
    }
    if (node) {
      System.out.println("npm ot-text-unicode 4.0.0 replaying automerge-paper under Node (one run):");
      System.out.println("  " + nodeReplay(traces.resolve("automerge-paper.json.gz")));
    }
  }

  private static String nodeReplay(Path trace) throws IOException, InterruptedException {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("bench/node/replay-trace.js"))) {
      root = root.getParent();
    }
    if (root == null || !Files.isDirectory(root.resolve("node_modules/ot-text-unicode"))) {
      return "skipped: run from the repository after `npm ci`";
    }
    Process p = new ProcessBuilder("node", "bench/node/replay-trace.js", trace.toString(), "1")
        .directory(root.toFile()).redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String out = String.join("\n", r.lines().toList());
      p.waitFor();
      return out;
    }
  }
}
