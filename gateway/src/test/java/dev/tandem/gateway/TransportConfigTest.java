package dev.tandem.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transport settings: defaults, the environment, and settings that make no sense refused. */
class TransportConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    TransportConfig c = TransportConfig.fromEnv(Map.of());
    assertEquals(4 * 1024 * 1024, c.maxWebSocketMessageBytes());
    assertEquals(Duration.ofSeconds(60), c.idleTimeout());
    assertEquals(Duration.ofSeconds(10), c.handshakeTimeout());
    assertEquals(Duration.ofSeconds(30), c.bodyTimeout());
    assertEquals(20_000, c.maxDiffChars());
    assertEquals(Duration.ofMillis(500), c.diffTimeout());
    assertEquals(2, c.diffThreads());
    assertEquals(16, c.maxConcurrentPuts());
    assertEquals(8, c.maxOpsStreams());
  }

  @Test
  void theConnectionCapKeepsHalfTheDescriptorsForTheBroker() {
    int cap = TransportConfig.fromEnv(Map.of()).maxConnections();
    assertTrue(cap > 0 && cap <= 10_000, "cap " + cap);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      assertTrue(cap <= Math.max(64, unix.getMaxFileDescriptorCount() / 2), "cap " + cap);
    }
  }

  @Test
  void everySettingComesFromTheEnvironment() {
    TransportConfig c = TransportConfig.fromEnv(Map.ofEntries(Map.entry("TANDEM_WS_MAX_MESSAGE_BYTES", "1000"),
        Map.entry("TANDEM_IDLE_TIMEOUT_MS", "1500"), Map.entry("TANDEM_HANDSHAKE_TIMEOUT_MS", "700"),
        Map.entry("TANDEM_BODY_TIMEOUT_MS", "800"), Map.entry("TANDEM_MAX_CONNECTIONS", "12"),
        Map.entry("TANDEM_PUT_DIFF_MAX_CHARS", "5"), Map.entry("TANDEM_PUT_DIFF_TIMEOUT_MS", "9"),
        Map.entry("TANDEM_PUT_DIFF_THREADS", "3"), Map.entry("TANDEM_PUT_CONCURRENCY", "4"),
        Map.entry("TANDEM_OPS_STREAMS", "2")));
    assertEquals(new TransportConfig(1000, Duration.ofMillis(1500), Duration.ofMillis(700), Duration.ofMillis(800), 12, 5,
        Duration.ofMillis(9), 3, 4, 2), c);
  }

  @Test
  void settingsThatMakeNoSenseAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> TransportConfig.fromEnv(Map.of("TANDEM_MAX_CONNECTIONS", "0")));
    assertThrows(IllegalArgumentException.class, () -> TransportConfig.fromEnv(Map.of("TANDEM_IDLE_TIMEOUT_MS", "-1")));
    assertThrows(IllegalArgumentException.class, () -> TransportConfig.fromEnv(Map.of("TANDEM_PUT_DIFF_THREADS", "0")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransportConfig.fromEnv(Map.of("TANDEM_OPS_STREAMS", "many")));
    org.junit.jupiter.api.Assertions.assertEquals("TANDEM_OPS_STREAMS takes a whole number from 1 to 100000, got \"many\"",
        e.getMessage());
  }
}
