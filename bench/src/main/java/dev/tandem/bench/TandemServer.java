package dev.tandem.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The standalone server as the benchmarks start it: a child JVM ({@code -Xmx512m}, or
 * {@code TANDEM_SERVER_JVM_OPTS}) on a fresh temporary data directory, its log in
 * {@code server.log} there; the directory is deleted at close unless the run failed or
 * {@code --keep-data} was given.
 */
final class TandemServer implements BenchServer {

  private final Process process;
  private final int port;
  private final Path data;
  private boolean keep;

  private TandemServer(Process process, int port, Path data, boolean keep) {
    this.process = process;
    this.port = port;
    this.data = data;
    this.keep = keep;
  }

  /** Starts it with {@code env} added to this JVM's environment, and waits for {@code /health}. */
  static TandemServer start(Path jar, Map<String, String> env, boolean keep) throws Exception {
    Path data = Files.createTempDirectory("tandem-bench-");
    int port = LoadBench.freePort();
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(List.of(System.getenv().getOrDefault("TANDEM_SERVER_JVM_OPTS", "-Xmx512m").trim().split("\\s+")));
    cmd.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(port), "--data-dir", data.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(data.resolve("server.log").toFile());
    pb.environment().putAll(env);
    TandemServer server = new TandemServer(Children.start(pb), port, data, keep);
    try {
      LoadBench.awaitHealthy(port);
    } catch (Exception e) {
      server.keepEvidence();
      server.close();
      throw new IllegalStateException(e.getMessage() + "; its log: " + data.resolve("server.log"), e);
    }
    return server;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public String name() {
    return "Tandem";
  }

  @Override
  public String url() {
    return "ws://127.0.0.1:" + port + "/v1/docs";
  }

  @Override
  public Set<Long> cpuPids() {
    return Set.of(process.pid());
  }

  @Override
  public String rss() {
    try {
      return LoadBench.rssOf(process.pid());
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public Optional<Long> openDocuments() {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      // "tandem_gateway_open_documents{instance=...} 12.0", the tags as the registry sets them.
      return r.body().lines()
          .filter(l -> l.startsWith("tandem_gateway_open_documents ") || l.startsWith("tandem_gateway_open_documents{"))
          .map(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1).trim())).findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public void keepEvidence() {
    keep = true;
  }

  /** Stops it gracefully (SIGTERM, 30 s), then removes its data unless kept. */
  @Override
  public void close() {
    if (!Children.stop(process, 30)) {
      System.out.println("  (Tandem did not stop within 30 s of SIGTERM; killed)");
    }
    if (keep) {
      System.out.println("  (Tandem's data and log kept in " + data + ")");
      return;
    }
    try (Stream<Path> files = Files.walk(data)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.out.println("  (could not remove " + data + ": " + e + ")");
    }
  }
}
