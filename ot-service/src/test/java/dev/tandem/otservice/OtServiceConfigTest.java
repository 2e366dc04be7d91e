package dev.tandem.otservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.otservice.state.DocLimits;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtServiceConfigTest {

  @Test
  void documentLimitsDefaultTo100LevelsAnd8MiB() {
    DocLimits limits = OtServiceConfig.fromEnv(Map.of()).limits();
    assertEquals(100, limits.maxDepth());
    assertEquals(8L * 1024 * 1024, limits.maxBytes());
  }

  @Test
  void documentLimitsComeFromTheEnvironment() {
    DocLimits limits = OtServiceConfig.fromEnv(Map.of("TANDEM_MAX_DOC_DEPTH", "32", "TANDEM_MAX_DOC_BYTES", "65536"))
        .limits();
    assertEquals(new DocLimits(32, 65536), limits);
  }

  @Test
  void refusesLimitsThatRecordsCouldNotHold() {
    IllegalArgumentException deep = assertThrows(IllegalArgumentException.class,
        () -> OtServiceConfig.fromEnv(Map.of("TANDEM_MAX_DOC_DEPTH", "1000")));
    assertTrue(deep.getMessage().contains("TANDEM_MAX_DOC_DEPTH"));
    assertThrows(IllegalArgumentException.class,
        () -> OtServiceConfig.fromEnv(Map.of("TANDEM_MAX_DOC_BYTES", String.valueOf(16L * 1024 * 1024))));
    assertThrows(IllegalArgumentException.class, () -> OtServiceConfig.fromEnv(Map.of("TANDEM_MAX_DOC_DEPTH", "0")));
  }

  @Test
  void storesLiveInTheStateDirOrPerInstanceUnderTheTemporaryDirectory() {
    assertEquals(Path.of("/var/lib/tandem-ot"),
        OtServiceConfig.fromEnv(Map.of("TANDEM_OT_STATE_DIR", "/var/lib/tandem-ot")).stateDir());
    assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "tandem-ot-state", "ot-7"),
        OtServiceConfig.fromEnv(Map.of("TANDEM_INSTANCE", "ot-7")).stateDir());
  }
}
