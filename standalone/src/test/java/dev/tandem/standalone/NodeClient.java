package dev.tandem.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.ot.testkit.RepoRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A Node script of the repository driven line by line: JSON commands on its stdin, JSON events
 * read from its stdout. For tests that choreograph several real sharedb clients.
 */
final class NodeClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  private final Process process;
  private final OutputStream stdin;
  private final List<JsonNode> events = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();

  NodeClient(String name, String script, String... args) throws IOException {
    this.name = name;
    List<String> cmd = new ArrayList<>(List.of("node", script));
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).directory(RepoRoot.find().toFile()).start();
    stdin = process.getOutputStream();
    Thread out = new Thread(() -> read(new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)), true), "node-" + name);
    out.setDaemon(true);
    out.start();
    Thread err = new Thread(() -> read(new BufferedReader(new InputStreamReader(process.getErrorStream(),
        StandardCharsets.UTF_8)), false), "node-err-" + name);
    err.setDaemon(true);
    err.start();
  }

  private void read(BufferedReader reader, boolean json) {
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        synchronized (this) {
          if (json) {
            try {
              events.add(JSON.readTree(line));
            } catch (IOException e) {
              stderr.append("not JSON: ").append(line).append('\n');
            }
          } else {
            stderr.append(line).append('\n');
          }
          notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  void send(String json) throws IOException {
    stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** The first event at or after index {@code from} that matches; fails after {@code timeout}. */
  synchronized JsonNode await(Predicate<JsonNode> match, Duration timeout, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (true) {
      for (JsonNode e : events) {
        if (match.test(e)) {
          return e;
        }
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError(name + ": no " + what + " within " + timeout + "; events " + events + "; stderr "
            + stderr);
      }
      wait(left);
    }
  }

  /** Forgets the events seen so far, so the next await looks only at new ones. */
  synchronized void clear() {
    events.clear();
  }

  /** The latest presence value received for presence id {@code id}, or null. */
  synchronized JsonNode latestPresence(String id) {
    JsonNode latest = null;
    for (JsonNode e : events) {
      if ("presence".equals(e.path("ev").asText()) && id.equals(e.path("id").asText())) {
        latest = e.get("value");
      }
    }
    return latest;
  }

  /** Everything it printed so far, for failure messages. */
  synchronized String describe() {
    return name + ": " + events + (stderr.length() > 0 ? " stderr " + stderr : "");
  }

  long pid() {
    return process.pid();
  }

  /** Killed without goodbye: the kernel closes its socket. */
  void kill() {
    process.destroyForcibly();
  }

  /** Frozen: its socket stays open but it answers nothing, not even pings. */
  void freeze() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-STOP", String.valueOf(process.pid())).start().waitFor();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
