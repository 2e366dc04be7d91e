package dev.tandem.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits' documented defaults, their variables, and the key's handling. */
class EdgeLimitsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertEquals(new EdgeLimits(1000, 20_000, 100, 20_000, 16, 32, 512, 8L * 1024 * 1024, 20_000), EdgeLimits.defaults());
  }

  @Test
  void everyLimitComesFromItsVariable() {
    EdgeLimits l = EdgeLimits.fromEnv(Map.of("TANDEM_MAX_DOCS_PER_CONNECTION", "5", "TANDEM_GATEWAY_MAX_DOCS", "6",
        "TANDEM_MAX_PRESENCE_CHANNELS_PER_CONNECTION", "7", "TANDEM_GATEWAY_MAX_PRESENCE_CHANNELS", "8",
        "TANDEM_MAX_PRESENCES_PER_CONNECTION", "9", "TANDEM_MAX_PRESENCE_DEPTH", "10", "TANDEM_MAX_NAME_LENGTH", "11",
        "TANDEM_OUTBOUND_BUDGET_BYTES", "12", "TANDEM_FEED_MAX_PENDING", "13"));
    assertEquals(new EdgeLimits(5, 6, 7, 8, 9, 10, 11, 12, 13), l);
    assertEquals(l, GatewayConfig.fromEnv(Map.of("TANDEM_MAX_DOCS_PER_CONNECTION", "5", "TANDEM_GATEWAY_MAX_DOCS", "6",
        "TANDEM_MAX_PRESENCE_CHANNELS_PER_CONNECTION", "7", "TANDEM_GATEWAY_MAX_PRESENCE_CHANNELS", "8",
        "TANDEM_MAX_PRESENCES_PER_CONNECTION", "9", "TANDEM_MAX_PRESENCE_DEPTH", "10", "TANDEM_MAX_NAME_LENGTH", "11",
        "TANDEM_OUTBOUND_BUDGET_BYTES", "12", "TANDEM_FEED_MAX_PENDING", "13")).limits());
  }

  @Test
  void aLimitBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> EdgeLimits.fromEnv(Map.of("TANDEM_MAX_DOCS_PER_CONNECTION", "0")));
    assertThrows(IllegalArgumentException.class, () -> EdgeLimits.defaults().withOutboundBudget(0));
  }

  @Test
  void theSrcKeyIsSettableSharedAndNeverPrinted() {
    GatewayConfig set = GatewayConfig.fromEnv(Map.of("TANDEM_SRC_KEY", "0123456789abcdef-shared"));
    assertEquals("0123456789abcdef-shared", set.srcKey());
    assertFalse(set.toString().contains("0123456789abcdef"));
    assertNotEquals(GatewayConfig.fromEnv(Map.of()).srcKey(), GatewayConfig.fromEnv(Map.of()).srcKey(),
        "unset: a random key per process");
    assertEquals("another-key-of-16+", set.withSrcKey("another-key-of-16+").srcKey());
    assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("TANDEM_SRC_KEY", "short")));
  }
}
