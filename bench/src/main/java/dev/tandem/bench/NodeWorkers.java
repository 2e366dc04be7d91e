package dev.tandem.bench;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Node load-generator processes of one workload ({@code bench/node/client-load.js}), one per
 * spec: started together, told when to warm up and when to measure (the same epoch
 * milliseconds for all), and read for their JSON lines. Every process is stopped at close.
 */
final class NodeWorkers implements AutoCloseable {

  /** One JSON line from worker {@code index}. */
  private record Line(int index, JsonObject json) {}

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> stderr = new ArrayList<>();
  private final LinkedBlockingQueue<Line> lines = new LinkedBlockingQueue<>();
  /** Lines read while waiting for another event (a fast worker's result while a slow one measures). */
  private final java.util.ArrayDeque<Line> later = new java.util.ArrayDeque<>();

  private NodeWorkers() {}

  static NodeWorkers start(List<JsonObject> specs) throws IOException {
    NodeWorkers w = new NodeWorkers();
    try {
      for (JsonObject spec : specs) {
        Path err = Files.createTempFile("clientbench-node-", ".err");
        Process p = Children.start(new ProcessBuilder("node", "bench/node/client-load.js", spec.encode())
            .redirectError(err.toFile()));
        int index = w.processes.size();
        w.processes.add(p);
        w.stderr.add(err);
        Thread reader = new Thread(() -> w.read(index, p), "node-worker-" + index);
        reader.setDaemon(true);
        reader.start();
      }
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
    return w;
  }

  private void read(int index, Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null;) {
        lines.add(new Line(index, new JsonObject(line)));
      }
    } catch (IOException | RuntimeException e) {
      lines.add(new Line(index, new JsonObject().put("event", "failed").put("message", "unreadable output: " + e)));
    }
    lines.add(new Line(index, new JsonObject().put("event", "exited")));
  }

  /**
   * Waits until every worker has sent {@code event}, within {@code timeoutMs}; returns their
   * lines in worker order. A worker that fails or exits first fails the wait with its reason.
   */
  List<JsonObject> await(String event, long timeoutMs) throws InterruptedException {
    JsonObject[] got = new JsonObject[processes.size()];
    int missing = got.length;
    long deadline = System.currentTimeMillis() + timeoutMs;
    java.util.ArrayDeque<Line> earlier = new java.util.ArrayDeque<>(later);
    later.clear();
    while (missing > 0) {
      Line l = !earlier.isEmpty() ? earlier.poll()
          : lines.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      if (l == null) {
        throw new IllegalStateException(missing + " of " + got.length + " load generators did not report " + event
            + " within " + timeoutMs / 1000 + " s" + stderrTail());
      }
      String e = l.json().getString("event");
      if (e.equals("failed")) {
        throw new IllegalStateException("load generator " + l.index() + " failed: " + l.json().getString("message"));
      }
      if (e.equals("exited") && got[l.index()] == null) {
        throw new IllegalStateException("load generator " + l.index() + " exited before " + event + stderrTail());
      }
      if (e.equals(event) && got[l.index()] == null) {
        got[l.index()] = l.json();
        missing--;
      } else {
        later.add(l);
      }
    }
    return List.of(got);
  }

  /** Sends every worker the phase boundaries, in epoch milliseconds. */
  void go(long warmupEnd, long measureEnd) throws IOException {
    byte[] line = (new JsonObject().put("warmupEnd", warmupEnd).put("measureEnd", measureEnd).encode() + "\n")
        .getBytes(StandardCharsets.UTF_8);
    for (Process p : processes) {
      OutputStream out = p.getOutputStream();
      out.write(line);
      out.flush();
    }
  }

  private String stderrTail() {
    StringBuilder sb = new StringBuilder();
    for (Path p : stderr) {
      try {
        String s = Files.readString(p).strip();
        if (!s.isEmpty()) {
          sb.append("; stderr: ").append(s, Math.max(0, s.length() - 600), s.length());
        }
      } catch (IOException e) {
        // nothing to add
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    for (Process p : processes) {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        // already gone
      }
    }
    processes.forEach(p -> Children.stop(p, 3));
    stderr.forEach(p -> p.toFile().delete());
  }
}
