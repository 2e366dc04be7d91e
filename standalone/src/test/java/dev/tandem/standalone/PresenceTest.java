package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.gateway.GatewayConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Document presence with the real npm sharedb client ({@code connection.getDocPresence}) on three
 * gateways, presence-service and a short TTL: cursors across gateways, through concurrent edits,
 * for late joiners, and gone when a client is killed, freezes, or its gateway crashes.
 */
@Timeout(180)
class PresenceTest {

  private static final String SCRIPT = "standalone/src/test/node/presence-client.js";
  private static final Duration TTL = Duration.ofMillis(2500);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void cursorsAcrossGatewaysLateJoinersAndDepartures() throws Exception {
    List<NodeClient> clients = new ArrayList<>();
    try (TestCluster cluster = new TestCluster(4)) {
      cluster.addOtService();
      cluster.addPresenceService(TTL);
      GatewayConfig gw = GatewayConfig.fromEnv(Map.of()).withPresence(TTL, Duration.ofMillis(40));
      for (int i = 0; i < 3; i++) {
        cluster.addGateway(gw);
      }
      String doc = "doc-" + UUID.randomUUID();

      NodeClient ann = client(clients, cluster, 0, doc, "ann");
      ann.await(ev("ready"), WAIT, "ready");
      ann.send("{\"cmd\":\"create\",\"data\":\"hello world\"}");
      ann.await(ev("created"), WAIT, "created");
      NodeClient bob = client(clients, cluster, 1, doc, "bob");
      bob.await(e -> ev("ready").test(e) && "hello world".equals(e.path("data").asText()), WAIT, "ready with text");

      // Ann's caret, on gateway 0, reaches Bob on gateway 1.
      ann.send("{\"cmd\":\"presence\",\"value\":{\"index\":5,\"length\":0}}");
      bob.await(presence("ann", 5), WAIT, "ann's caret at 5");
      bob.send("{\"cmd\":\"presence\",\"value\":{\"index\":0,\"length\":5}}");
      ann.await(presence("bob", 0), WAIT, "bob's selection");

      // An insert before Ann's caret moves it, for Bob and for Ann herself.
      bob.send("{\"cmd\":\"insert\",\"pos\":0,\"text\":\"XYZ\"}");
      bob.await(presence("ann", 8), WAIT, "ann's caret moved to 8 by the insert");
      ann.await(e -> ev("op").test(e) && "XYZhello world".equals(e.path("data").asText()), WAIT, "the insert");
      ann.send("{\"cmd\":\"presence\",\"value\":{\"index\":9,\"length\":0}}");
      bob.await(presence("ann", 9), WAIT, "ann's next move");

      // Late joiners, on a gateway that has seen nothing yet and on one that has: everyone there.
      NodeClient cat = client(clients, cluster, 2, doc, "cat");
      cat.await(ev("ready"), WAIT, "ready");
      cat.await(presence("ann", 9), WAIT, "ann's caret for the late joiner on a fresh gateway");
      cat.await(e -> presence("bob", -1).test(e) && e.path("value").path("length").asInt() == 5, WAIT, "bob's selection");
      NodeClient dan = client(clients, cluster, 0, doc, "dan");
      dan.await(presence("ann", 9), WAIT, "ann's caret for a late joiner on ann's gateway");
      dan.await(presence("bob", -1), WAIT, "bob's selection for a late joiner on ann's gateway");

      // Killed without goodbye: gone at once.
      dan.await(ev("ready"), WAIT, "ready");
      dan.send("{\"cmd\":\"presence\",\"value\":{\"index\":1,\"length\":0}}");
      bob.await(presence("dan", 1), WAIT, "dan's caret");
      dan.kill();
      long killed = System.currentTimeMillis();
      bob.await(gone("dan"), WAIT, "dan leaving");
      long left = System.currentTimeMillis() - killed;
      assertTrue(left < TTL.toMillis(), "dan left after " + left + " ms");

      // Frozen (socket open, no pongs): expires after the TTL.
      NodeClient eve = client(clients, cluster, 1, doc, "eve");
      eve.await(ev("ready"), WAIT, "ready");
      eve.send("{\"cmd\":\"presence\",\"value\":{\"index\":2,\"length\":0}}");
      ann.await(presence("eve", 2), WAIT, "eve's caret");
      eve.freeze();
      long frozen = System.currentTimeMillis();
      ann.await(gone("eve"), WAIT, "eve expiring");
      long expired = System.currentTimeMillis() - frozen;
      assertTrue(expired >= TTL.toMillis() - 100 && expired < 3 * TTL.toMillis(), "eve expired after " + expired + " ms");
      eve.kill();

      // Cat's gateway crashes: no goodbye reaches Kafka; presence-service expires cat after the TTL.
      cat.send("{\"cmd\":\"presence\",\"value\":{\"index\":3,\"length\":0}}");
      ann.await(presence("cat", 3), WAIT, "cat's caret");
      cluster.crashGateway(2);
      long crashed = System.currentTimeMillis();
      ann.await(gone("cat"), WAIT, "cat expiring with its gateway");
      bob.await(gone("cat"), WAIT, "cat expiring with its gateway");
      long gone = System.currentTimeMillis() - crashed;
      // The last heartbeat came at most a third of the TTL before the crash; presence-service
      // sweeps ten times per TTL: gone within the TTL and a sweep, plus delivery.
      assertTrue(gone < TTL.toMillis() + TTL.toMillis() / 10 + 1500, "cat expired after " + gone + " ms");

      assertEquals(9, bob.latestPresence("ann").path("index").asInt(), "ann's caret as bob sees it at the end");
    } catch (AssertionError e) {
      StringBuilder all = new StringBuilder(e.getMessage());
      clients.forEach(c -> all.append("\n").append(c.describe()));
      throw new AssertionError(all.toString(), e);
    } finally {
      clients.forEach(NodeClient::close);
    }
  }

  private static NodeClient client(List<NodeClient> clients, TestCluster cluster, int gateway, String doc, String name)
      throws Exception {
    NodeClient c = new NodeClient(name, SCRIPT, cluster.url(gateway), "notes", doc, name);
    clients.add(c);
    return c;
  }

  private static Predicate<JsonNode> ev(String name) {
    return e -> name.equals(e.path("ev").asText());
  }

  /** A presence event for {@code id} with caret {@code index} (-1: any value). */
  private static Predicate<JsonNode> presence(String id, int index) {
    return e -> ev("presence").test(e) && id.equals(e.path("id").asText()) && e.path("value").isObject()
        && (index < 0 || e.path("value").path("index").asInt() == index);
  }

  private static Predicate<JsonNode> gone(String id) {
    return e -> ev("presence").test(e) && id.equals(e.path("id").asText()) && e.path("value").isNull();
  }
}
