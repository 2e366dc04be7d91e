package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The undo module (gateway/src/main/web/undo.js) under its property test with three real
 * sharedb clients editing at once (standalone/src/test/node/undo-property.js): after every undo
 * the undoing user's step is gone and everyone else's work is as they left it; redo brings the
 * step back; plus the cases where the server commits a step in another form than it was made.
 */
@Timeout(300)
class UndoPropertyTest {

  @ParameterizedTest
  @ValueSource(strings = {"4242", "13", "3", "20"})
  void undoRemovesExactlyTheUsersOwnStep(String seed) throws Exception {
    try (TestCluster cluster = TestCluster.start(1, 1, 2)) {
      NodeScript.Result r = NodeScript.start("standalone/src/test/node/undo-property.js",
          Map.of("ROUNDS", "80", "SEED", seed), cluster.url(0)).await(Duration.ofSeconds(240));
      assertEquals(0, r.exit(), r.output());
      assertTrue(r.output().contains("OK"), r.output());
    }
  }
}
