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
 * The demo client's edit locks and undo in headless Chromium driven by playwright-core: Ann
 * and Bob open a new document at once; a note Ann holds mid-drag is locked for Bob (her name,
 * his drag changes nothing) until she lets go; Ann's Ctrl+Z in the notes takes out her text
 * and not Bob's, Shift+Ctrl+Z brings it back. Screenshots land in
 * {@code standalone/target/screenshots}.
 */
@Timeout(240)
class WebUndoLocksTest {

  @Test
  void locksKeepOthersOffAShapeAndUndoTakesBackOnlyOnesOwnText(@TempDir Path dir) throws Exception {
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
        "--partitions", "2"}, Map.of());
    Path shots = RepoRoot.find().resolve("standalone/target/screenshots");
    Files.createDirectories(shots);
    try (Standalone server = Standalone.start(config, Map.of())) {
      NodeScript.Result r = NodeScript.start("standalone/src/test/node/web-undo-locks.js", Map.of(),
          "http://127.0.0.1:" + server.port(), shots.toString()).await(Duration.ofSeconds(180));
      System.out.println(r.output());
      assertEquals(0, r.exit(), r.output());
      assertTrue(r.output().contains("OK"), r.output());
    }
    for (String shot : new String[] {"bob-sees-lock.png", "bob-refused.png", "ann-undone.png", "bob-redone.png"}) {
      assertTrue(Files.size(shots.resolve(shot)) > 10_000, shot);
    }
  }
}
