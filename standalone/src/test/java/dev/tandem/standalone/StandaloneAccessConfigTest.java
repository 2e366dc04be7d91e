package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server's access settings: what refuses to start, and the TLS flags. */
class StandaloneAccessConfigTest {

  @Test
  void devModeOffLoopbackRefusesToStartUnlessExplicit(@TempDir Path dir) {
    StandaloneConfig open = StandaloneConfig.parse(new String[] {"--host", "0.0.0.0", "--port", "0", "--data-dir",
        dir.toString()}, Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Standalone.start(open, Map.of()));
    assertTrue(e.getMessage().contains("TANDEM_AUTH=dev"), e.getMessage());
    assertTrue(!dir.resolve("kafka").toFile().exists(), "nothing was started");
  }

  @Test
  void tlsTakesBothFilesFromFlagsOrEnvironment() {
    StandaloneConfig c = StandaloneConfig.parse(new String[] {"--tls-cert", "c.pem", "--tls-key", "k.pem"}, Map.of());
    assertEquals(Path.of("c.pem"), c.tls().orElseThrow().cert());
    StandaloneConfig e = StandaloneConfig.parse(new String[] {}, Map.of("TANDEM_TLS_CERT", "a", "TANDEM_TLS_KEY", "b"));
    assertEquals(Path.of("b"), e.tls().orElseThrow().key());
    assertThrows(IllegalArgumentException.class, () -> StandaloneConfig.parse(new String[] {"--tls-cert", "c.pem"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> Standalone.start(StandaloneConfig.parse(new String[] {
        "--tls-cert", "/no/such.pem", "--tls-key", "/no/such.key"}, Map.of()), Map.of()));
  }
}
