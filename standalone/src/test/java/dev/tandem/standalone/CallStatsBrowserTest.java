package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web client's call-quality reports, end to end (standalone/src/test/node/call-stats.js): two
 * Chromium pages in a call send {@code {"type":"stats"}} reports that the server takes without
 * an error and writes to the embedded Kafka, and {@code tandem history calls} reads the call back
 * from there: two participants, frames decoded, and a relay share of 0 for a direct call (on a
 * server that offers no TURN), 1 for a relay-only call through a coturn the test starts, 0 for a
 * call through a real Janus SFU.
 */
@Timeout(400)
class CallStatsBrowserTest {

  private static final String SCRIPT = "standalone/src/test/node/call-stats.js";
  private static final String SECRET = "call-stats-" + UUID.randomUUID();
  @TempDir static Path dir;
  private static CoturnProcess coturn;
  private static Standalone server;

  @BeforeAll
  static void start() throws Exception {
    coturn = CoturnProcess.start(SECRET);
    server = Standalone.start(config(dir.resolve("mesh")), Map.of("TANDEM_TURN_SECRET", SECRET,
        "TANDEM_TURN_URLS", "turn:127.0.0.1:" + coturn.port + "?transport=udp",
        "TANDEM_STUN_URLS", "stun:127.0.0.1:" + coturn.port));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (coturn != null) {
      coturn.close();
    }
  }

  @Test
  void aDirectCallIsReportedWithNoRelay() throws Exception {
    // A server offering no TURN: with a relay candidate at hand, ICE on two busy cores sometimes
    // nominated the relay pair first (CI saw it), and the call was no longer direct.
    try (Standalone direct = Standalone.start(config(dir.resolve("direct")), Map.of())) {
      String out = run(direct, "direct");
      assertTrue(out.contains("OK direct"), out);
    }
  }

  @Test
  void aRelayOnlyCallIsReportedAsRelayed() throws Exception {
    String out = run(server, "relay");
    assertTrue(out.contains("OK relay"), out + "\ncoturn: " + coturn.logText());
  }

  @Test
  void aCallThroughTheSfuIsReportedPerFeed() throws Exception {
    String api = "api-" + UUID.randomUUID();
    String admin = "admin-" + UUID.randomUUID();
    // A threshold of 1: the call of two goes through the SFU from the start.
    try (JanusProcess janus = JanusProcess.start(api, admin, "43000-43499");
        Standalone sfu = Standalone.start(config(dir.resolve("sfu")), Map.of("TANDEM_JANUS_URLS", janus.url(),
            "TANDEM_JANUS_API_SECRET", api, "TANDEM_JANUS_ADMIN_KEY", admin, "TANDEM_SFU_THRESHOLD", "1"))) {
      String out = run(sfu, "sfu");
      assertTrue(out.contains("OK sfu"), out + "\nJanus log in " + janus.dir);
    }
  }

  private static StandaloneConfig config(Path data) {
    return StandaloneConfig.parse(new String[] {"--port", "0", "--kafka-port", "0", "--data-dir", data.toString(),
        "--partitions", "2"}, Map.of());
  }

  /** The script against {@code s}, reading the call back with this JVM's classpath as the history tool. */
  private static String run(Standalone s, String mode) throws Exception {
    List<String> args = new ArrayList<>(List.of("http://127.0.0.1:" + s.port(), s.bootstrapServers(), "tandem", mode,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), "dev.tandem.standalone.cli.TandemCli", "history"));
    NodeScript.Result r = NodeScript.start(SCRIPT, Map.of(), args.toArray(String[]::new)).await(Duration.ofSeconds(170));
    System.out.println(r.output());
    assertEquals(0, r.exit(), r.output());
    return r.output();
  }
}
