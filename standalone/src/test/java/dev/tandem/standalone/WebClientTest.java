package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.testkit.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo client at {@code /}, in headless Chromium driven by playwright-core: two people on
 * one document (text and carets, a dragged note, offline edits, a call). Screenshots of both
 * pages land in {@code standalone/target/screenshots}.
 */
@Timeout(240)
class WebClientTest {

  @Test
  void twoPeopleWriteDrawAndCallInTheBrowser(@TempDir Path dir) throws Exception {
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
        "--partitions", "2"}, Map.of());
    Path shots = RepoRoot.find().resolve("standalone/target/screenshots");
    Files.createDirectories(shots);
    try (Standalone server = Standalone.start(config, Map.of())) {
      NodeScript.Result r = NodeScript.start("standalone/src/test/node/web-client.js", Map.of(),
          "http://127.0.0.1:" + server.port(), shots.toString()).await(Duration.ofSeconds(180));
      System.out.println(r.output());
      assertEquals(0, r.exit(), r.output());
      assertTrue(r.output().contains("OK"), r.output());
    }
    assertTrue(Files.size(shots.resolve("ann.png")) > 10_000);
    assertTrue(Files.size(shots.resolve("bob.png")) > 10_000);
  }
}
