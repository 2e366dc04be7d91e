package dev.tandem.standalone;

import dev.tandem.ot.testkit.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a Node script of the repository as a child process and collects what it prints. */
final class NodeScript {

  /** What the script did: its exit code and everything it printed. */
  record Result(int exit, String output) {}

  private final Process process;
  private final Path log;

  private NodeScript(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static NodeScript start(String script, Map<String, String> env, String... args) throws IOException {
    Path root = RepoRoot.find();
    if (!Files.isDirectory(root.resolve("node_modules/sharedb"))) {
      throw new IllegalStateException("npm packages are missing: run `npm ci` in " + root);
    }
    List<String> cmd = new ArrayList<>(List.of("node", script));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile("node-", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new NodeScript(pb.start(), log);
  }

  /** What the script has printed so far. */
  String outputSoFar() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  Result await(Duration timeout) throws IOException, InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      return new Result(-1, Files.readString(log, StandardCharsets.UTF_8) + "\n(killed after " + timeout + ")");
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
