package dev.tandem.ot.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.Side;
import dev.tandem.ot.testkit.RandomText;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Algebraic laws of text-unicode over many random documents and ops. */
class TextPropertiesTest {

  private static final TextUnicodeType TEXT = TextUnicodeType.INSTANCE;
  private static final int ROUNDS = 4000;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 20261123})
  void concurrentOpsConvergeWhicheverArrivesFirst(long seed) {
    RandomText gen = new RandomText(new Random(seed));
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = TextNode.valueOf(gen.text(14));
      JsonNode a = gen.op(s.textValue());
      JsonNode b = gen.op(s.textValue());
      JsonNode viaA = TEXT.apply(TEXT.apply(s, a), TEXT.transform(b, a, Side.LEFT));
      JsonNode viaB = TEXT.apply(TEXT.apply(s, b), TEXT.transform(a, b, Side.RIGHT));
      assertEquals(viaA, viaB, () -> "TP1 fails on " + s + " a=" + a + " b=" + b);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 5, 6})
  void composeEqualsApplyingInTurn(long seed) {
    RandomText gen = new RandomText(new Random(seed));
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = TextNode.valueOf(gen.text(14));
      JsonNode a = gen.op(s.textValue());
      JsonNode afterA = TEXT.apply(s, a);
      JsonNode b = gen.op(afterA.textValue());
      assertEquals(TEXT.apply(afterA, b), TEXT.apply(s, TEXT.compose(a, b)), () -> s + " a=" + a + " b=" + b);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 8})
  void invertUndoes(long seed) {
    RandomText gen = new RandomText(new Random(seed));
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = TextNode.valueOf(gen.text(14));
      JsonNode a = gen.invertibleOp(s.textValue());
      assertEquals(s, TEXT.apply(TEXT.apply(s, a), TEXT.invert(a)), () -> s + " a=" + a);
      JsonNode lossy = gen.op(s.textValue());
      JsonNode made = TextOpCodec.toJson(TextOps.makeInvertible(TextOpCodec.parse(lossy), s.textValue()));
      assertEquals(s, TEXT.apply(TEXT.apply(s, lossy), TEXT.invert(made)), () -> s + " lossy=" + lossy);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {9, 10})
  void normalizeIsIdempotentAndKeepsMeaning(long seed) {
    RandomText gen = new RandomText(new Random(seed));
    for (int i = 0; i < ROUNDS; i++) {
      String s = gen.text(14);
      JsonNode messy = gen.denormalizedOp(s);
      JsonNode once = TEXT.normalize(messy);
      assertEquals(once, TEXT.normalize(once));
      TEXT.apply(TextNode.valueOf(s), once);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12})
  void presenceStaysInsideTheDocument(long seed) {
    RandomText gen = new RandomText(new Random(seed));
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = TextNode.valueOf(gen.text(14));
      JsonNode op = gen.op(s.textValue());
      int after = CodePoints.count(TEXT.apply(s, op).textValue());
      JsonNode sel = gen.selection(CodePoints.count(s.textValue()));
      for (boolean own : new boolean[] {true, false}) {
        JsonNode moved = TEXT.transformPresence(sel, op, own);
        int index = moved.get("index").asInt();
        int length = moved.get("length").asInt();
        assertTrue(index >= 0 && length >= 0 && index + length <= after,
            () -> "selection " + sel + " through " + op + " on " + s + " became " + moved);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {13, 14, 15})
  void ropeMatchesStringApply(long seed) {
    RandomText gen = new RandomText(new Random(seed));
    String reference = gen.text(30);
    OtDocument doc = TEXT.open(TextNode.valueOf(reference));
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode op = gen.op(reference);
      if (i % 50 == 0) {
        // Now and then a large paste, to split chunks.
        op = TextOpCodec.toJson(TextOp.insert(gen.random().nextInt(CodePoints.count(reference) + 1),
            "x😀".repeat(300 + gen.random().nextInt(900))));
      }
      reference = TEXT.apply(TextNode.valueOf(reference), op).textValue();
      doc.apply(op);
      if (i % 97 == 0) {
        assertEquals(reference, doc.snapshot().textValue());
      }
    }
    assertEquals(reference, doc.snapshot().textValue());
  }
}
