package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.signal.SignalingConfig;
import dev.tandem.signal.TurnCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real calls: two headless Chromium pages (fake camera and microphone), each on a different
 * signaling instance, negotiate through Tandem with colliding offers; directly on loopback, and
 * relay-only through a coturn the test starts with {@code --use-auth-secret}. Expired
 * credentials are refused by coturn.
 */
@Timeout(300)
class WebRtcTest {

  private static final String SCRIPT = "standalone/src/test/node/webrtc-call.js";
  private static final String SECRET = "webrtc-" + UUID.randomUUID();
  private static CoturnProcess coturn;
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    coturn = CoturnProcess.start(SECRET);
    cluster = new TestCluster(2);
    SignalingConfig sig = SignalingConfig.fromEnv(Map.of()).withTurn(SECRET, Duration.ofMinutes(10),
        List.of("turn:127.0.0.1:" + coturn.port + "?transport=udp"), List.of("stun:127.0.0.1:" + coturn.port));
    cluster.addGateway(GatewayConfig.fromEnv(Map.of()), sig);
    cluster.addGateway(GatewayConfig.fromEnv(Map.of()), sig);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (coturn != null) {
      coturn.close();
    }
  }

  private static String base(int i) {
    return "http://127.0.0.1:" + cluster.port(i);
  }

  @Test
  void aCallOnLoopbackWithCollidingOffers() throws Exception {
    NodeScript.Result r = NodeScript.start(SCRIPT, Map.of(), base(0), base(1), "direct").await(Duration.ofSeconds(120));
    System.out.println(r.output());
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("OK direct"), r.output());
  }

  @Test
  void aRelayOnlyCallThroughCoturn() throws Exception {
    NodeScript.Result r = NodeScript.start(SCRIPT, Map.of(), base(0), base(1), "relay").await(Duration.ofSeconds(120));
    System.out.println(r.output());
    assertEquals(0, r.exit(), r.output() + "\ncoturn: " + coturn.logText());
    assertTrue(r.output().contains("OK relay"), r.output());
  }

  @Test
  void coturnRefusesExpiredCredentials() throws Exception {
    TurnCredentials stale = new TurnCredentials(SECRET, Duration.ofSeconds(60),
        List.of("turn:127.0.0.1:" + coturn.port + "?transport=udp"), List.of());
    String ice = stale.iceServers("late", System.currentTimeMillis() - 3_600_000).toString();
    NodeScript.Result r = NodeScript.start(SCRIPT, Map.of(), base(0), base(1), "expired", ice).await(Duration.ofSeconds(60));
    System.out.println(r.output());
    assertEquals(0, r.exit(), r.output() + "\ncoturn: " + coturn.logText());
  }
}
