package dev.tandem.standalone;

import dev.tandem.signal.sfu.JanusSetup;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** A real Janus on loopback with a generated configuration ({@link JanusSetup}), for the SFU tests. */
final class JanusProcess implements AutoCloseable {

  final JanusSetup setup;
  private final Process process;
  final Path dir;

  private JanusProcess(JanusSetup setup, Process process, Path dir) {
    this.setup = setup;
    this.process = process;
    this.dir = dir;
  }

  /** Starts Janus with its HTTP API on a free port and RTP in {@code rtpPorts}; waits until it answers. */
  static JanusProcess start(String apiSecret, String adminKey, String rtpPorts) throws Exception {
    Path dir = Files.createTempDirectory("janus-");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    JanusSetup setup = new JanusSetup("127.0.0.1", port, apiSecret, adminKey, rtpPorts, List.of("lo"),
        JanusSetup.debianLibraries());
    setup.write(dir);
    Process p = new ProcessBuilder("janus", "-F", dir.toString(), "-C", dir.resolve("janus.jcfg").toString(), "-o")
        .redirectErrorStream(true).redirectOutput(dir.resolve("janus.log").toFile()).start();
    JanusProcess j = new JanusProcess(setup, p, dir);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(setup.url())).timeout(Duration.ofSeconds(2))
            .POST(HttpRequest.BodyPublishers.ofString("{\"janus\":\"info\",\"transaction\":\"" + UUID.randomUUID()
                + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.body().contains("server_info")) {
          return j;
        }
      } catch (java.io.IOException e) {
        // not up yet
      }
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        j.close();
        throw new IllegalStateException("Janus did not start; its log: " + Files.readString(dir.resolve("janus.log")));
      }
      Thread.sleep(100);
    }
  }

  String url() {
    return setup.url();
  }

  /** Kills it as a crash would. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws Exception {
    kill();
  }
}
