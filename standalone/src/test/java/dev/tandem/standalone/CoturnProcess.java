package dev.tandem.standalone;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real coturn on loopback for the call tests: REST credentials ({@code --use-auth-secret}
 * with {@code secret}), loopback peers allowed (every page is on 127.0.0.1, so relaying between
 * them needs {@code --allow-loopback-peers}, which wants a CLI password), its log line by line.
 */
final class CoturnProcess implements AutoCloseable {

  final int port;
  final Path log;
  private final Process process;

  private CoturnProcess(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  static CoturnProcess start(String secret) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    int relayBase = 50000 + (int) (Math.random() * 10000);
    Path log = Files.createTempFile("coturn-", ".log");
    // stdbuf: coturn's log line by line, complete when a test prints it.
    Process p = new ProcessBuilder("stdbuf", "-oL", "turnserver", "-n", "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1", "--listening-port=" + port, "--min-port=" + relayBase, "--max-port=" + (relayBase + 200),
        "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=tandem.test", "--allow-loopback-peers",
        "--cli-password=tandem-test", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint", "--log-file=stdout",
        "--simple-log").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    CoturnProcess c = new CoturnProcess(port, log, p);
    long deadline = System.currentTimeMillis() + 15_000;
    while (!listening(port)) {
      if (System.currentTimeMillis() > deadline || !p.isAlive()) {
        c.close();
        throw new IllegalStateException("coturn did not start: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return c;
  }

  /** Its log so far, for a failure's message. */
  String logText() throws IOException {
    return Files.readString(log);
  }

  private static boolean listening(int port) {
    // coturn listens on TCP as well as UDP on its port.
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
  }
}
