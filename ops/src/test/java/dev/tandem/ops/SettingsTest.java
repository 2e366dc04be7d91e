package dev.tandem.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void defaultsWhenUnsetOrBlank() {
    Settings s = new Settings(Map.of("TANDEM_B", "  "));
    assertEquals(7, s.integer("TANDEM_A", 7, 1, 10));
    assertEquals(7, s.integer("TANDEM_B", 7, 1, 10));
    assertEquals(Duration.ofMillis(250), s.millis("TANDEM_C", 250, 0));
    assertEquals("x", s.text("TANDEM_D", "x"));
    assertTrue(s.optional("TANDEM_B").isEmpty());
    assertEquals(Set.of("TANDEM_A", "TANDEM_B", "TANDEM_C", "TANDEM_D"), s.namesRead());
  }

  @Test
  void valuesAreReadTrimmedAndChecked() {
    Settings s = new Settings(Map.of("TANDEM_N", " 42 ", "TANDEM_L", "a, ,b", "TANDEM_F", "TRUE", "TANDEM_M", "dev"));
    assertEquals(42, s.integer("TANDEM_N", 1, 1, 100));
    assertEquals(List.of("a", "b"), s.list("TANDEM_L", ""));
    assertTrue(s.flag("TANDEM_F", false));
    assertEquals("dev", s.choice("TANDEM_M", "jwt", List.of("jwt", "dev")));
  }

  @Test
  void aBadValueNamesTheVariableWhatItTakesAndWhatItGot() {
    Settings s = new Settings(Map.of("TANDEM_N", "12x", "TANDEM_R", "500", "TANDEM_F", "yes", "TANDEM_M", "open",
        "TANDEM_BIG", "99999999999999999999"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.integer("TANDEM_N", 1, 1, 100));
    assertEquals("TANDEM_N takes a whole number from 1 to 100, got \"12x\"", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> s.integer("TANDEM_R", 1, 1, 100));
    assertEquals("TANDEM_R takes a whole number from 1 to 100, got \"500\"", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> s.flag("TANDEM_F", false));
    assertEquals("TANDEM_F takes true or false, got \"yes\"", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> s.choice("TANDEM_M", "jwt", List.of("jwt", "dev")));
    assertEquals("TANDEM_M takes one of jwt, dev, got \"open\"", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.whole("TANDEM_BIG", 1, 0, Long.MAX_VALUE));
  }

  @Test
  void aLongBadValueIsShortenedInTheMessage() {
    Settings s = new Settings(Map.of("TANDEM_N", "9".repeat(500)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.integer("TANDEM_N", 1, 1, 2));
    assertTrue(e.getMessage().length() < 200, e.getMessage());
  }

  @Test
  void aDefaultPerServiceSharesTheNamesRead() {
    Settings s = new Settings(Map.of());
    Settings gw = s.withDefault("TANDEM_PORT", "8090");
    assertEquals(8090, gw.integer("TANDEM_PORT", 8080, 0, 65535));
    gw.text("TANDEM_X", "");
    assertTrue(s.namesRead().containsAll(Set.of("TANDEM_PORT", "TANDEM_X")));
    Settings given = new Settings(Map.of("TANDEM_PORT", "1")).withDefault("TANDEM_PORT", "8090");
    assertEquals(1, given.integer("TANDEM_PORT", 8080, 0, 65535));
    assertFalse(given.namesRead().isEmpty());
  }
}
