package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.schemas.CommittedOp;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real npm sharedb client (pinned in package.json) under Node: random concurrent edits to
 * text-unicode and json0 documents by clients on two gateways, some of them dropping their
 * connection with ops pending. See {@code src/test/node/converge.js} for what it checks.
 */
@Timeout(300)
class SharedbClientsTest {

  private static final String SCRIPT = "standalone/src/test/node/converge.js";

  @Test
  void clientsOnTwoGatewaysConvergeAndNothingIsLostOrDoubled() throws Exception {
    try (TestCluster cluster = TestCluster.start(2, 1, 4)) {
      NodeScript.Result r = NodeScript.start(SCRIPT, Map.of("CLIENTS", "8", "OPS", "80", "SEED", "7"),
          cluster.url(0), cluster.url(1)).await(Duration.ofSeconds(180));
      System.out.println(r.output());
      assertEquals(0, r.exit(), r.output());
      assertContiguous(cluster);
    }
  }

  @Test
  void survivesTheCrashOfAnOtServiceMidLoad() throws Exception {
    try (TestCluster cluster = TestCluster.start(2, 2, 4)) {
      NodeScript node = NodeScript.start(SCRIPT, Map.of("CLIENTS", "6", "OPS", "400", "SEED", "11"),
          cluster.url(0), cluster.url(1));
      // Crash the instance doing the work once the load is well under way.
      long deadline = System.currentTimeMillis() + 60_000;
      while (committed(cluster, 0) + committed(cluster, 1) < 150 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      int victim = committed(cluster, 0) >= committed(cluster, 1) ? 0 : 1;
      int survivor = 1 - victim;
      long before = committed(cluster, survivor);
      cluster.crashOtService(victim);
      NodeScript.Result r = node.await(Duration.ofSeconds(200));
      System.out.println(r.output());
      assertEquals(0, r.exit(), r.output());
      assertTrue(committed(cluster, survivor) > before, "the survivor committed nothing after the crash: the load ended first");
      assertContiguous(cluster);
    }
  }

  private static long committed(TestCluster cluster, int i) {
    return cluster.otServices.get(i).loop().committedOps();
  }

  /** Per document: versions 0, 1, 2, ... in log order, and no (src, seq) committed twice. */
  private static void assertContiguous(TestCluster cluster) {
    Map<String, List<CommittedOp>> log = cluster.eventLog();
    assertTrue(log.size() >= 3, "documents in the log: " + log.keySet());
    for (var e : log.entrySet()) {
      Set<String> ids = new HashSet<>();
      List<CommittedOp> ops = e.getValue();
      for (int i = 0; i < ops.size(); i++) {
        CommittedOp op = ops.get(i);
        assertEquals(i, op.v(), e.getKey() + ": op " + i + " of the log has v" + op.v());
        assertTrue(ids.add(op.src() + "/" + op.seq()), e.getKey() + ": " + op.src() + "/" + op.seq() + " committed twice");
      }
    }
  }
}
