package dev.tandem.ot.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtException;
import dev.tandem.ot.Side;
import dev.tandem.ot.testkit.RandomJson;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Algebraic laws of json0 over many random documents and ops. Even seeds edit strings with
 * legacy si/sd, odd seeds with text-unicode subtype edits.
 */
class Json0PropertiesTest {

  private static final Json0Type JSON0 = Json0Type.INSTANCE;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int ROUNDS = 3000;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void concurrentOpsConvergeWhicheverArrivesFirst(long seed) {
    RandomJson gen = new RandomJson(new Random(seed), seed % 2 == 0);
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = gen.doc(3);
      JsonNode a = gen.op(s);
      JsonNode b = gen.op(s);
      JsonNode viaA = JSON0.apply(JSON0.apply(s, a), JSON0.transform(b, a, Side.LEFT));
      JsonNode viaB = JSON0.apply(JSON0.apply(s, b), JSON0.transform(a, b, Side.RIGHT));
      assertEquals(viaA, viaB, () -> "TP1 fails on " + s + "\n a=" + a + "\n b=" + b);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 5})
  void composeEqualsApplyingInTurn(long seed) {
    RandomJson gen = new RandomJson(new Random(seed), seed % 2 == 0);
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = gen.doc(3);
      JsonNode a = gen.op(s);
      JsonNode afterA = JSON0.apply(s, a);
      JsonNode b = gen.op(afterA);
      assertEquals(JSON0.apply(afterA, b), JSON0.apply(s, JSON0.compose(a, b)), () -> s + " a=" + a + " b=" + b);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {6, 7})
  void invertUndoes(long seed) {
    RandomJson gen = new RandomJson(new Random(seed), seed % 2 == 0, true);
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = gen.doc(3);
      JsonNode a = gen.op(s);
      assertEquals(s, JSON0.apply(JSON0.apply(s, a), JSON0.invert(a)), () -> s + " a=" + a);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {8, 9})
  void normalizeIsIdempotentAndKeepsMeaning(long seed) {
    RandomJson gen = new RandomJson(new Random(seed), seed % 2 == 0);
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = gen.doc(3);
      ArrayNode a = gen.op(s);
      a.addAll(gen.op(JSON0.apply(s, a)));
      JsonNode once = JSON0.normalize(a);
      assertEquals(once, JSON0.normalize(once));
      assertEquals(JSON0.apply(s, a), JSON0.apply(s, once), () -> s + " a=" + a);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {10, 11})
  void documentAppliesInPlaceAllOrNothing(long seed) {
    RandomJson gen = new RandomJson(new Random(seed), seed % 2 == 0);
    JsonNode reference = gen.doc(3);
    OtDocument doc = JSON0.open(reference);
    for (int i = 0; i < ROUNDS; i++) {
      ArrayNode op = gen.op(reference);
      if (i % 3 == 0) {
        // A valid prefix followed by a component that fails: nothing of it may stick.
        op.addObject().put("na", 1).putArray("p").add("no such key").add(3);
        assertThrows(OtException.class, () -> doc.apply(op));
        assertEquals(reference, doc.snapshot());
        continue;
      }
      reference = JSON0.apply(reference, op);
      doc.apply(op);
      assertEquals(reference, doc.snapshot());
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {12, 13})
  void presenceStaysOnSomethingThatExists(long seed) {
    Random rnd = new Random(seed);
    boolean legacy = seed % 2 == 0;
    RandomJson gen = new RandomJson(rnd, legacy);
    int kept = 0;
    for (int i = 0; i < ROUNDS; i++) {
      JsonNode s = gen.doc(3);
      List<Object> path = gen.somePath(s);
      ObjectNode presence = NODES.objectNode();
      ArrayNode p = presence.putArray("p");
      path.forEach(e -> p.add(e instanceof Integer n ? NODES.numberNode(n) : NODES.textNode((String) e)));
      JsonNode target = at(s, presence.get("p"));
      if (target.isTextual()) {
        int len = length(target.textValue(), legacy);
        int index = rnd.nextInt(len + 1);
        presence.put("index", index).put("length", rnd.nextInt(len - index + 1));
      }
      JsonNode op = gen.op(s);
      JsonNode after = JSON0.apply(s, op);
      JsonNode moved = JSON0.transformPresence(presence, op, rnd.nextBoolean());
      if (moved.isNull()) {
        continue;
      }
      kept++;
      JsonNode now = at(after, moved.get("p"));
      assertNotNull(now, () -> presence + " through " + op + " on " + s + " points at nothing: " + moved);
      if (moved.has("index") && now.isTextual()) {
        int end = moved.get("index").asInt() + moved.get("length").asInt();
        assertTrue(end <= length(now.textValue(), legacy),
            () -> presence + " through " + op + " on " + s + " runs past its string: " + moved);
      }
    }
    assertTrue(kept > ROUNDS / 4, "most presence values survive: " + kept);
  }

  /** A string's length in the unit its edits count: UTF-16 units for si/sd, else code points. */
  private static int length(String s, boolean legacy) {
    return legacy ? s.length() : CodePoints.count(s);
  }

  private static JsonNode at(JsonNode doc, JsonNode path) {
    JsonNode node = doc;
    for (JsonNode e : path) {
      if (node == null) {
        return null;
      }
      node = e.isInt() ? node.get(e.asInt()) : node.get(e.asText());
    }
    return node;
  }
}
