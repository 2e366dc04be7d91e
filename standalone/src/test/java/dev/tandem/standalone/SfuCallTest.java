package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls beyond a mesh, with real Chromium and two real Janus instances on loopback
 * (standalone/src/test/node/sfu-call.js): four pages in a mesh, the fifth moves the room to the
 * SFU, six pages decode each other while each sends its video once; the Janus in use is killed
 * and the call resumes on the other within 10 s.
 */
@Timeout(300)
class SfuCallTest {

  @Test
  void aCallMovesToTheSfuAndSurvivesItsJanus(@TempDir Path dir) throws Exception {
    String api = "api-" + java.util.UUID.randomUUID();
    String admin = "admin-" + java.util.UUID.randomUUID();
    Path kill = dir.resolve("kill");
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir",
        dir.resolve("data").toString(), "--partitions", "2"}, Map.of());
    try (JanusProcess first = JanusProcess.start(api, admin, "42000-42499");
        JanusProcess second = JanusProcess.start(api, admin, "42500-42999");
        Standalone server = Standalone.start(config, Map.of("TANDEM_JANUS_URLS", first.url() + "," + second.url(),
            "TANDEM_JANUS_API_SECRET", api, "TANDEM_JANUS_ADMIN_KEY", admin, "TANDEM_SFU_THRESHOLD", "4"))) {
      NodeScript node = NodeScript.start("standalone/src/test/node/sfu-call.js", Map.of("KILL_FILE", kill.toString()),
          "http://127.0.0.1:" + server.port());
      long deadline = System.currentTimeMillis() + 200_000;
      while (!node.outputSoFar().contains("KILL-JANUS") && !node.outputSoFar().contains("FAIL")
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      if (node.outputSoFar().contains("KILL-JANUS")) {
        first.kill();
        Files.writeString(kill, "killed");
      }
      NodeScript.Result r = node.await(Duration.ofSeconds(120));
      System.out.println(r.output());
      assertEquals(0, r.exit(), r.output() + "\nJanus logs in " + first.dir + " and " + second.dir);
      assertTrue(r.output().contains("failover: every page decodes again"), r.output());
    }
  }

  /**
   * Pages that offer simulcast (three layers from a 640x480 camera, which Chrome sends as two)
   * each send their video once, and receive every other at the layer they asked for: the lowest
   * (320 wide) or the highest (640).
   */
  @Test
  void simulcastPublishersAndALayerPerSubscription(@TempDir Path dir) throws Exception {
    String api = "api-" + java.util.UUID.randomUUID();
    String admin = "admin-" + java.util.UUID.randomUUID();
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir",
        dir.resolve("data").toString(), "--partitions", "2"}, Map.of());
    try (JanusProcess janus = JanusProcess.start(api, admin, "42000-42499");
        Standalone server = Standalone.start(config, Map.of("TANDEM_JANUS_URLS", janus.url(),
            "TANDEM_JANUS_API_SECRET", api, "TANDEM_JANUS_ADMIN_KEY", admin, "TANDEM_SFU_THRESHOLD", "4"))) {
      NodeScript.Result r = NodeScript.start("standalone/src/test/node/sfu-call.js",
          Map.of("PAGES", "5", "LAYERS", "0,2"), "http://127.0.0.1:" + server.port())
          .await(Duration.ofSeconds(150));
      System.out.println(r.output());
      assertEquals(0, r.exit(), r.output() + "\nJanus log in " + janus.dir);
      assertTrue(r.output().contains("sfu: each page sends its video once"), r.output());
      assertTrue(r.output().contains("receives the one it asked for"), r.output());
    }
  }
}
