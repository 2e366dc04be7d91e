package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.access.AccessConfig;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.CommittedOp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Edit locks with the real sharedb client (standalone/src/test/node/locks.js) against a gateway
 * in jwt mode: grants, refusals with the holder's name, ERR_LOCKED on others' ops, locks that
 * move, TTL, release on disconnect, and a lock that survives an ot-service crash and restart
 * (rebuilt from the event log's lock records); the event log keeps versions without a gap.
 */
@Timeout(240)
class LocksTest {

  private static final String SECRET = "a-lock-test-secret-of-32-bytes-or-more";
  private static final String SCRIPT = "standalone/src/test/node/locks.js";

  @Test
  void locksWithRealClients() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path restarted = Files.createTempFile("locks-restart", ".flag");
    Files.delete(restarted);
    AccessConfig access = AccessConfig.fromEnv(Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_SECRET", SECRET,
        "TANDEM_JWT_ISSUER", AccessTest.ISSUER), "127.0.0.1");
    TestTokens tokens = TestTokens.hs256(vertx, SECRET);
    JsonObject write = new JsonObject().put("docs", new JsonObject().put("board/*", "write").put("notes/*", "write"));
    JsonObject read = new JsonObject().put("docs", new JsonObject().put("board/*", "read").put("notes/*", "read"));
    try (TestCluster cluster = new TestCluster(2)) {
      cluster.addOtService();
      cluster.addGateway(GatewayConfig.fromEnv(Map.of()), null, access);
      Map<String, String> env = Map.of(
          "ANN", tokens.sign(TestTokens.claims("ann", write, 600).put("name", "Ann")),
          "BOB", tokens.sign(TestTokens.claims("bob", write, 600).put("name", "Bob")),
          "CAROL", tokens.sign(TestTokens.claims("carol", write, 600).put("name", "Carol")),
          "READER", tokens.sign(TestTokens.claims("rita", read, 600).put("name", "Rita")),
          "RESTART_FILE", restarted.toString());
      NodeScript node = NodeScript.start(SCRIPT, env, cluster.url(0));
      long deadline = System.currentTimeMillis() + 150_000;
      while (!node.outputSoFar().contains("LOCKED-FOR-RESTART") && !node.outputSoFar().contains("FAIL")
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      if (node.outputSoFar().contains("LOCKED-FOR-RESTART")) {
        cluster.crashOtService(0);
        cluster.addOtService();
        Files.writeString(restarted, "restarted");
      }
      NodeScript.Result r = node.await(Duration.ofSeconds(180));
      assertEquals(0, r.exit(), r.output());
      assertTrue(r.output().contains("restart: the lock survived"), r.output());
      // Lock records sit in the event log at the version they apply to; ops keep v without a gap.
      boolean sawLock = false;
      for (Map.Entry<String, List<CommittedOp>> e : cluster.eventLog().entrySet()) {
        long v = 0;
        for (CommittedOp op : e.getValue()) {
          assertEquals(v, op.v(), e.getKey());
          if (op.versioned()) {
            v++;
          } else {
            sawLock = true;
          }
        }
      }
      assertTrue(sawLock, "no lock record in the event log");
    } finally {
      Files.deleteIfExists(restarted);
      vertx.close();
    }
  }
}
