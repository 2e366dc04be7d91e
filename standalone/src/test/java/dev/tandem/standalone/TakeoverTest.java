package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.CommittedOp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two ot-service instances, one crashed (no final flush) while clients create and edit
 * documents: the survivor takes over its partitions, every document is served by a fresh
 * gateway with every acknowledged op in it, and the event log has each op exactly once.
 */
@Timeout(240)
class TakeoverTest {

  private static final int WRITERS = 4;
  private static final int DOCS_EACH = 15;
  private static final int EDITS = 4;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  void theSurvivorServesEveryDocumentWithEveryAcknowledgedOp() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, 2, 4)) {
      long deadline = System.currentTimeMillis() + 90_000;
      while (!(cluster.otServices.get(0).ready() && cluster.otServices.get(1).ready())) {
        assertTrue(System.currentTimeMillis() < deadline, "both ot-services ready");
        Thread.sleep(20);
      }
      Map<String, String> acked = new ConcurrentHashMap<>();
      AtomicInteger done = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          try (WsClient c = WsClient.shareDb(vertx, cluster.port(0))) {
            for (int k = 0; k < DOCS_EACH; k++) {
              String d = "w" + writer + "-" + k;
              String text = "doc " + d;
              submit(c, d, 1, new JsonObject().put("a", "op").put("c", "notes").put("d", d).put("v", 0).put("seq", 1)
                  .put("create", new JsonObject().put("type", "text-unicode").put("data", text)));
              acked.put(d, text);
              for (int e = 0; e < EDITS; e++) {
                submit(c, d, 2 + e, new JsonObject().put("a", "op").put("c", "notes").put("d", d).put("v", 1 + e)
                    .put("seq", 2 + e).put("op", new JsonArray().add(text.length()).add("" + e)));
                text = text + e;
                acked.put(d, text);
              }
              done.incrementAndGet();
            }
          }
          return null;
        }));
      }
      // Crash the busier instance a third of the way through: documents are being created and edited.
      while (done.get() < WRITERS * DOCS_EACH / 3) {
        Thread.sleep(5);
      }
      int victim = cluster.otServices.get(0).loop().committedOps() >= cluster.otServices.get(1).loop().committedOps()
          ? 0 : 1;
      long before = cluster.otServices.get(1 - victim).loop().committedOps();
      cluster.crashOtService(victim);
      for (Future<?> f : writers) {
        f.get();
      }
      pool.shutdown();
      assertTrue(cluster.otServices.get(1 - victim).loop().committedOps() > before, "the survivor took over nothing");

      cluster.addGateway(GatewayConfig.fromEnv(Map.of()));
      try (WsClient fresh = WsClient.shareDb(vertx, cluster.port(1))) {
        for (var e : acked.entrySet()) {
          fresh.send(new JsonObject().put("a", "f").put("c", "notes").put("d", e.getKey()));
          JsonObject f = fresh.next(m -> "f".equals(m.getString("a")) && e.getKey().equals(m.getString("d")));
          assertFalse(f.containsKey("error"), f.encode());
          assertEquals(1 + EDITS, f.getJsonObject("data").getLong("v"), e.getKey());
          assertEquals(e.getValue(), f.getJsonObject("data").getString("data"), e.getKey());
        }
      }
      Map<String, List<CommittedOp>> log = cluster.eventLog();
      assertEquals(WRITERS * DOCS_EACH, log.size());
      for (var e : log.entrySet()) {
        Set<Long> seqs = new HashSet<>();
        for (int i = 0; i < e.getValue().size(); i++) {
          CommittedOp op = e.getValue().get(i);
          assertEquals(i, op.v(), e.getKey());
          assertTrue(seqs.add(op.seq()), e.getKey() + ": seq " + op.seq() + " committed twice");
        }
        assertEquals(1 + EDITS, e.getValue().size(), e.getKey());
      }
    }
  }

  /**
   * Sends {@code op} and waits for its ack, resending the same op (same seq: the server commits
   * it once) when it is refused as unavailable during the takeover, as a ShareDB client does.
   */
  private static void submit(WsClient c, String d, long seq, JsonObject op) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    c.send(op);
    while (true) {
      JsonObject m;
      try {
        m = c.next(r -> "op".equals(r.getString("a")) && d.equals(r.getString("d")) && r.getLong("seq", -1L) == seq);
      } catch (AssertionError slow) {
        assertTrue(System.currentTimeMillis() < deadline, "no ack for " + d + " seq " + seq + " within 90 s");
        continue;
      }
      if (!m.containsKey("error")) {
        return;
      }
      assertEquals("ERR_SERVICE_UNAVAILABLE", m.getJsonObject("error").getString("code"), m.encode());
      assertTrue(System.currentTimeMillis() < deadline, "still unavailable after 90 s: " + m.encode());
      Thread.sleep(200);
      c.send(op);
    }
  }
}
