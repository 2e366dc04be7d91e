package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.history.Calls;
import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.history.cli.HistoryCli;
import dev.tandem.signal.SignalingConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Call-quality reports over {@code /v1/signal}: well-formed ones are stamped and written to the
 * telemetry topic, malformed, early or foreign ones are refused with a code; {@code calls}
 * summarises the call (participants, frames, relay share) and prints its windows; {@code /metrics}
 * counts them.
 */
@Timeout(120)
class CallStatsTest {

  private static JsonObject report(String room, String to, String candidate, long received, long lost, long frames) {
    JsonObject in = new JsonObject().put("kind", "video").put("packetsReceived", received).put("packetsLost", lost)
        .put("jitter", 0.004).put("bytesReceived", received * 1000).put("framesDecoded", frames).put("framesDropped", 0)
        .put("freezeCount", 0).put("totalFreezesDuration", 0).put("frameWidth", 320).put("frameHeight", 240)
        .put("framesPerSecond", 15).put("from", to);
    JsonObject out = new JsonObject().put("kind", "video").put("packetsSent", received).put("bytesSent", received * 1000)
        .put("retransmittedPacketsSent", 0).put("qualityLimitationReason", "none");
    JsonObject pair = new JsonObject().put("local", candidate).put("remote", candidate).put("protocol", "udp")
        .put("rtt", 0.002).put("availableOutgoingBitrate", 1_500_000);
    return new JsonObject().put("type", "stats").put("room", room).put("mode", "mesh").put("firstMediaMs", 420)
        .put("reconnects", 0).put("connections", new JsonArray().add(new JsonObject().put("peer", to).put("pair", pair)
            .put("inbound", new JsonArray().add(in)).put("outbound", new JsonArray().add(out))
            .put("states", new JsonArray().add(new JsonObject().put("ice", "connected").put("at", 1)))));
  }

  private static JsonObject error(WsClient c) throws Exception {
    return c.next(m -> "error".equals(m.getString("type")));
  }

  @Test
  void reportsAreStampedWrittenAndSummarised() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestCluster cluster = new TestCluster(2)) {
      cluster.addGateway(GatewayConfig.fromEnv(Map.of()), SignalingConfig.fromEnv(Map.of()));
      String direct = "call-" + UUID.randomUUID();
      String relayed = "relayed-" + UUID.randomUUID();
      try (WsClient ann = new WsClient(vertx, cluster.port(0), "/v1/signal");
          WsClient bob = new WsClient(vertx, cluster.port(0), "/v1/signal")) {
        ann.send(new JsonObject().put("type", "join").put("room", direct).put("meta", new JsonObject().put("name", "Ann")));
        String annId = ann.next(m -> "joined".equals(m.getString("type"))).getString("peerId");
        bob.send(new JsonObject().put("type", "join").put("room", direct));
        String bobId = bob.next(m -> "joined".equals(m.getString("type"))).getString("peerId");
        bob.send(new JsonObject().put("type", "join").put("room", relayed));
        bob.next(m -> "joined".equals(m.getString("type")) && relayed.equals(m.getString("room")));

        ann.send(report(direct, bobId, "host", 1000, 10, 300));
        bob.send(report(direct, annId, "host", 900, 0, 280));
        // Refused: malformed (and not counted against the rate), too soon, and for a room the
        // connection is not in.
        JsonObject bad = report(relayed, "sfu", "relay", 1, 0, 1);
        bad.getJsonArray("connections").getJsonObject(0).getJsonObject("pair").put("local", "carrier-pigeon");
        bob.send(bad);
        JsonObject refused = error(bob);
        assertEquals("BAD_MESSAGE", refused.getString("code"), refused.encode());
        assertTrue(refused.getString("message").startsWith("stats report refused"), refused.encode());
        bob.send(new JsonObject().put("type", "stats").put("room", relayed).put("connections", "all good"));
        assertEquals("BAD_MESSAGE", error(bob).getString("code"));
        bob.send(report(relayed, "sfu", "relay", 500, 0, 150));
        ann.send(report(direct, bobId, "host", 1100, 10, 330));
        assertEquals("RATE_LIMITED", error(ann).getString("code"));
        ann.send(report(relayed, "sfu", "relay", 1, 0, 1));
        assertEquals("NOT_IN_ROOM", error(ann).getString("code"));
        Thread.sleep(2_100);
        ann.send(report(direct, bobId, "host", 2000, 10, 600));
      }
      List<Calls.Call> calls = List.of();
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline) {
        try (LogReader reader = new LogReader(cluster.bootstrap)) {
          calls = Calls.read(reader, cluster.topics, null, Progress.NONE);
        }
        if (calls.size() == 2 && calls.stream().mapToInt(c -> c.windows().stream().mapToInt(Calls.Window::reports).sum())
            .sum() == 4) {
          break;
        }
        Thread.sleep(200);
      }
      assertEquals(2, calls.size(), calls.toString());
      Calls.Call call = calls.stream().filter(c -> c.room().equals(direct)).findFirst().orElseThrow();
      assertEquals(2, call.participants().size(), call.toString());
      assertEquals(880, call.framesDecoded(), "the last count of each stream: 600 + 280");
      assertEquals(0.0, call.relayShare());
      assertTrue(call.durationMs() >= 2_000, call.toString());
      assertTrue(call.meanScore() > 4.0 && call.meanScore() <= 4.5, "loss 10 in 1,910 and 4 ms of jitter: " + call);
      assertEquals(420.0, call.firstMediaMs());
      Calls.Call relay = calls.stream().filter(c -> c.room().equals(relayed)).findFirst().orElseThrow();
      assertEquals(1.0, relay.relayShare());

      StringWriter out = new StringWriter();
      int code = HistoryCli.run(new String[] {"calls", "--kafka", cluster.bootstrap, "--topic-prefix",
          cluster.topics.prefix(), "--quiet"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
      assertEquals(0, code, out.toString());
      assertTrue(out.toString().contains(direct) && out.toString().contains(relayed), out.toString());
      out = new StringWriter();
      code = HistoryCli.run(new String[] {"calls", "--room", direct, "--format", "csv", "--kafka", cluster.bootstrap,
          "--topic-prefix", cluster.topics.prefix(), "--quiet"}, new PrintWriter(out, true),
          new PrintWriter(new StringWriter(), true));
      assertEquals(0, code);
      String[] lines = out.toString().strip().split("\n");
      assertEquals("room,call_start,window_start,reports,loss,jitter_ms,rtt_ms,score,relay_share,freezes", lines[0]);
      assertEquals(2, lines.length, out.toString());
      assertTrue(lines[1].startsWith(direct + ","), lines[1]);

      HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + cluster.port(0) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertTrue(metrics.body().contains("tandem_call_stats_reports_total 4.0"), metrics.body());
      assertTrue(metrics.body().contains("tandem_call_connections_sampled_total{relay=\"true\"} 1.0"), "relay counted");
    } finally {
      vertx.close();
    }
  }
}
