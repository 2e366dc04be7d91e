package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The wire length {@link SharedText} counts against the outbound budget, without encoding. */
class SharedTextTest {

  @Test
  void utf8LengthIsWhatTheEncoderProduces() {
    Random random = new Random(11);
    String[] fixed = {"", "x", "é", "€", "😀", "a😀b", "\uD800", "x\uDC00y", "\uD83D\uD83D\uDE00"};
    for (String s : fixed) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, SharedText.utf8Length(s), s);
    }
    for (int round = 0; round < 2_000; round++) {
      StringBuilder b = new StringBuilder();
      for (int i = random.nextInt(40); i > 0; i--) {
        b.append((char) random.nextInt(0x10000));
      }
      String s = b.toString();
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, SharedText.utf8Length(s), "round " + round);
    }
  }

  @Test
  void theHeaderGrowsWithThePayloadAsRfc6455Says() {
    assertEquals(2, new SharedText("").wireLength());
    assertEquals(125 + 2, new SharedText("x".repeat(125)).wireLength());
    assertEquals(126 + 4, new SharedText("x".repeat(126)).wireLength());
    assertEquals(65_535 + 4, new SharedText("x".repeat(65_535)).wireLength());
    assertEquals(65_536 + 10, new SharedText("x".repeat(65_536)).wireLength());
    assertEquals(2 + 3 + 2, new SharedText("é€").wireLength());
  }
}
