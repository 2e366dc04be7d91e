package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tandem.ot.OtType;
import dev.tandem.ot.OtTypes;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounded diff of whole-content PUT: every op it makes turns the old text into the new one. */
class TextDiffTest {

  private static final OtType TEXT = OtTypes.byName("text-unicode").orElseThrow();

  private static String apply(String before, JsonNode op) {
    return TEXT.apply(JsonNodeFactory.instance.textNode(before), TEXT.normalize(op)).textValue();
  }

  private static String random(Random rnd, int length) {
    int[] alphabet = "ab cd\n\uD83D\uDE00é".codePoints().toArray();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.appendCodePoint(alphabet[rnd.nextInt(alphabet.length)]);
    }
    return s.toString();
  }

  /** A random edit of {@code text}: a few inserts and deletes at random places. */
  private static String edit(Random rnd, String text) {
    StringBuilder s = new StringBuilder(text);
    for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
      int at = s.offsetByCodePoints(0, rnd.nextInt(s.codePointCount(0, s.length()) + 1));
      if (rnd.nextBoolean() && at < s.length()) {
        s.delete(at, s.offsetByCodePoints(at, 1));
      } else {
        s.insert(at, random(rnd, 1 + rnd.nextInt(5)));
      }
    }
    return s.toString();
  }

  @Test
  void minimalDiffsTurnTheOldTextIntoTheNewOne() {
    Random rnd = new Random(11);
    for (int i = 0; i < 500; i++) {
      String before = random(rnd, rnd.nextInt(60));
      String after = rnd.nextInt(4) == 0 ? random(rnd, rnd.nextInt(60)) : edit(rnd, before);
      TextDiff.Result r = TextDiff.op(before, after, TextDiff.Budget.unlimited());
      assertTrue(r.minimal());
      assertEquals(after, apply(before, r.op()), before + " -> " + after + " by " + r.op());
    }
  }

  @Test
  void replacementsPastTheSizeBudgetTurnTheOldTextIntoTheNewOne() {
    Random rnd = new Random(12);
    for (int i = 0; i < 500; i++) {
      String before = random(rnd, rnd.nextInt(60));
      String after = rnd.nextBoolean() ? random(rnd, rnd.nextInt(60)) : edit(rnd, before);
      TextDiff.Result r = TextDiff.op(before, after, new TextDiff.Budget(0, Long.MAX_VALUE));
      assertEquals(after, apply(before, r.op()), before + " -> " + after + " by " + r.op());
    }
  }

  @Test
  void aSmallEditOfALargeTextIsDiffedAfterThePrefixAndSuffixAreSetAside() {
    Random rnd = new Random(13);
    String before = random(rnd, 200_000);
    String after = before.substring(0, 100_000) + "INSERTED" + before.substring(100_000);
    TextDiff.Result r = TextDiff.op(before, after, new TextDiff.Budget(20, Long.MAX_VALUE));
    assertTrue(r.minimal());
    assertEquals(2, r.op().size(), r.op().toString());
    assertEquals("INSERTED", r.op().get(1).textValue());
  }

  @Test
  @Timeout(10)
  void aDiffPastItsDeadlineBecomesAReplacement() {
    Random rnd = new Random(14);
    String before = random(rnd, 40_000);
    String after = random(rnd, 40_000);
    // 40k against 40k unrelated characters takes Myers far more than 200 ms (over 30 s once).
    TextDiff.Result r = TextDiff.op(before, after, new TextDiff.Budget(Integer.MAX_VALUE,
        System.nanoTime() + 200_000_000L));
    assertFalse(r.minimal());
    assertEquals(after, apply(before, r.op()));
  }

  @Test
  @Timeout(10)
  void anInterruptedDiffIsCancelled() {
    Random rnd = new Random(15);
    String before = random(rnd, 40_000);
    String after = random(rnd, 40_000);
    Thread.currentThread().interrupt();
    try {
      assertThrows(CancellationException.class, () -> TextDiff.op(before, after, TextDiff.Budget.unlimited()));
    } finally {
      Thread.interrupted();
    }
  }
}
