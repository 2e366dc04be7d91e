package dev.tandem.ot.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtTypes;
import dev.tandem.ot.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Json0TypeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Json0Type JSON0 = Json0Type.INSTANCE;

  private static JsonNode j(String json) {
    try {
      return JSON.readTree(json.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static JsonNode apply(String doc, String op) {
    return JSON0.apply(j(doc), j(op));
  }

  private static JsonNode transform(String op, String other, Side side) {
    return JSON0.transform(j(op), j(other), side);
  }

  @Test
  void isRegisteredByNameAndUri() {
    assertEquals(JSON0, OtTypes.byName("json0").orElseThrow());
    assertEquals(JSON0, OtTypes.byUri("http://sharejs.org/types/JSONv0").orElseThrow());
    assertEquals(NullNode.instance, JSON0.create(null));
  }

  @Test
  void appliesEveryInstruction() {
    assertEquals(j("{'n': 5}"), apply("{'n': 2}", "[{'p': ['n'], 'na': 3}]"));
    assertEquals(j("{'n': 2.5}"), apply("{'n': 2}", "[{'p': ['n'], 'na': 0.5}]"));
    assertEquals(j("{'l': [1, 9, 2]}"), apply("{'l': [1, 2]}", "[{'p': ['l', 1], 'li': 9}]"));
    assertEquals(j("{'l': [2]}"), apply("{'l': [1, 2]}", "[{'p': ['l', 0], 'ld': 1}]"));
    assertEquals(j("{'l': [7, 2]}"), apply("{'l': [1, 2]}", "[{'p': ['l', 0], 'ld': 1, 'li': 7}]"));
    assertEquals(j("{'l': [2, 3, 1]}"), apply("{'l': [1, 2, 3]}", "[{'p': ['l', 0], 'lm': 2}]"));
    assertEquals(j("{'a': 1, 'b': {}}"), apply("{'a': 1}", "[{'p': ['b'], 'oi': {}}]"));
    assertEquals(j("{}"), apply("{'a': 1}", "[{'p': ['a'], 'od': 1}]"));
    assertEquals(j("{'a': 2}"), apply("{'a': 1}", "[{'p': ['a'], 'od': 1, 'oi': 2}]"));
    assertEquals(j("{'s': 'abXc'}"), apply("{'s': 'abc'}", "[{'p': ['s', 2], 'si': 'X'}]"));
    assertEquals(j("{'s': 'ac'}"), apply("{'s': 'abc'}", "[{'p': ['s', 1], 'sd': 'b'}]"));
    assertEquals(j("{'s': '😀X'}"), apply("{'s': '😀'}", "[{'p': ['s'], 't': 'text-unicode', 'o': [1, 'X']}]"));
    assertEquals(j("[1]"), apply("{'a': 1}", "[{'p': [], 'od': {'a': 1}, 'oi': [1]}]"));
  }

  @Test
  void tieBreaksListInsertsAtOneIndexBySide() {
    assertEquals(j("[{'p': [1], 'li': 'a'}]"), transform("[{'p': [1], 'li': 'a'}]", "[{'p': [1], 'li': 'b'}]", Side.LEFT));
    assertEquals(j("[{'p': [2], 'li': 'a'}]"), transform("[{'p': [1], 'li': 'a'}]", "[{'p': [1], 'li': 'b'}]", Side.RIGHT));
  }

  @Test
  void dropsEditsInsideDeletedElements() {
    assertEquals(j("[]"), transform("[{'p': [1, 'x'], 'oi': 1}]", "[{'p': [1], 'ld': {}}]", Side.LEFT));
    assertEquals(j("[{'p': [0, 'x'], 'oi': 1}]"), transform("[{'p': [1, 'x'], 'oi': 1}]", "[{'p': [0], 'ld': 0}]",
        Side.LEFT));
    assertEquals(j("[]"), transform("[{'p': ['k', 's', 0], 'si': 'x'}]", "[{'p': ['k'], 'od': {}}]", Side.LEFT));
  }

  @Test
  void tieBreaksObjectInsertsAtOneKeyBySide() {
    assertEquals(j("[{'p': ['k'], 'od': 2, 'oi': 1}]"), transform("[{'p': ['k'], 'oi': 1}]", "[{'p': ['k'], 'oi': 2}]",
        Side.LEFT));
    assertEquals(j("[]"), transform("[{'p': ['k'], 'oi': 1}]", "[{'p': ['k'], 'oi': 2}]", Side.RIGHT));
  }

  @Test
  void transformsMovesAgainstMoves() {
    // [A, B, C]: mine moves B to the front, theirs moves A to the end; B is already first.
    assertEquals(j("[{'p': [0], 'lm': 0}]"), transform("[{'p': [1], 'lm': 0}]", "[{'p': [0], 'lm': 2}]", Side.LEFT));
    assertEquals(j("[{'p': [2], 'lm': 0}]"), transform("[{'p': [2], 'lm': 0}]", "[{'p': [0], 'lm': 1}]", Side.LEFT));
    assertEquals(j("[]"), transform("[{'p': [0], 'lm': 1}]", "[{'p': [0], 'lm': 2}]", Side.RIGHT));
  }

  @Test
  void transformsEmbeddedTextEdits() {
    assertEquals(j("[{'p': ['s'], 't': 'text-unicode', 'o': [2, 'a']}]"),
        transform("[{'p': ['s'], 't': 'text-unicode', 'o': ['a']}]", "[{'p': ['s'], 't': 'text-unicode', 'o': ['😀b']}]",
            Side.RIGHT));
    assertEquals(j("[{'p': ['s', 3], 'si': 'a'}]"), transform("[{'p': ['s', 1], 'si': 'a'}]", "[{'p': ['s', 0], 'si': 'xy'}]",
        Side.LEFT));
  }

  @Test
  void keepsDeletedValuesCurrentForInversion() {
    assertEquals(j("[{'p': ['a'], 'od': {'n': 3}}]"), transform("[{'p': ['a'], 'od': {'n': 1}}]", "[{'p': ['a', 'n'], 'na': 2}]",
        Side.LEFT));
  }

  @Test
  void composesAndCancels() {
    assertEquals(j("[{'p': ['n'], 'na': 5}]"), JSON0.compose(j("[{'p': ['n'], 'na': 2}]"), j("[{'p': ['n'], 'na': 3}]")));
    assertEquals(j("[]"), JSON0.compose(j("[{'p': [0], 'li': 1}]"), j("[{'p': [0], 'ld': 1}]")));
    assertEquals(j("[{'p': ['k'], 'od': 1, 'oi': 3}]"),
        JSON0.compose(j("[{'p': ['k'], 'od': 1}]"), j("[{'p': ['k'], 'oi': 3}]")));
    assertEquals(j("[{'p': ['s', 0], 'si': 'ab'}]"),
        JSON0.compose(j("[{'p': ['s', 0], 'si': 'a'}]"), j("[{'p': ['s', 1], 'si': 'b'}]")));
  }

  @Test
  void invertsInReverseOrder() {
    assertEquals(j("[{'p': [2], 'lm': 0}, {'p': ['n'], 'na': -2}]"),
        JSON0.invert(j("[{'p': ['n'], 'na': 2}, {'p': [0], 'lm': 2}]")));
    assertThrows(OtException.class, () -> JSON0.invert(j("[{'p': ['s'], 't': 'text-unicode', 'o': [{'d': 2}]}]")));
  }

  @Test
  void normalizeAcceptsASingleComponentWithoutPath() {
    assertEquals(j("[{'p': [], 'na': 1}]"), JSON0.normalize(j("{'na': 1}")));
  }

  @Test
  void movesPresenceWithTheElementItPointsAt() {
    JsonNode p = j("{'p': ['l', 1], 'name': 'ann'}");
    assertEquals(j("{'p': ['l', 2], 'name': 'ann'}"), JSON0.transformPresence(p, j("[{'p': ['l', 0], 'li': 0}]"), false));
    assertEquals(j("{'p': ['l', 0], 'name': 'ann'}"), JSON0.transformPresence(p, j("[{'p': ['l', 1], 'lm': 0}]"), false));
    assertEquals(NullNode.instance, JSON0.transformPresence(p, j("[{'p': ['l', 1], 'ld': 0}]"), false));
    assertEquals(NullNode.instance, JSON0.transformPresence(p, j("[{'p': ['l'], 'od': []}]"), false));
    JsonNode range = j("{'p': ['s'], 'index': 1, 'length': 2}");
    assertEquals(j("{'p': ['s'], 'index': 3, 'length': 2}"),
        JSON0.transformPresence(range, j("[{'p': ['s'], 't': 'text-unicode', 'o': ['😀x']}]"), false));
    assertThrows(OtException.class, () -> JSON0.transformPresence(j("{'index': 1}"), j("[]"), false));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "[{'p': ['nope', 1], 'oi': 1}]", "[{'p': ['list', 9], 'ld': 1}]", "[{'p': ['list', 4], 'li': 1}]",
    "[{'p': ['s'], 'na': 1}]", "[{'p': ['n'], 'na': '1'}]", "[{'p': ['s'], 't': 'rich-text', 'o': []}]",
    "[{'p': ['s'], 't': 'text-unicode', 'o': [9, 'x']}]", "[{'p': ['s', 2], 'sd': 'zz'}]", "[{'p': ['s', 99], 'si': 'x'}]",
    "[{'oi': 1}]", "[{'p': 'a', 'oi': 1}]", "[{'p': ['o']}]", "[{'p': ['o', 'a'], 'od': null, 'na': 1}]",
    "[{'p': ['list', 0], 'lm': 7}]", "[{'p': ['list'], 'li': 1}]", "[{'p': ['n', 'x'], 'oi': 1}]",
    "[{'p': ['o', 'zz'], 'od': 1}]", "{'p': ['n'], 'na': 1}", "[{'p': [true], 'oi': 1}]", "[{'p': [-1], 'li': 1}]", "[1]",
    "[{'p': ['o', 'a'], 'oi': 1, 'extra': 1}]", "[{'p': ['list', 1], 'si': 'x', 'sd': 'y'}]",
    "[{'p': ['s'], 't': 'text-unicode'}]", "[{'p': [], 'od': {}}]", "[{'p': ['s', 1], 'si': '\\udc00'}]",
    "[{'p': ['s', 1], 'si': 'x'}, {'p': ['list', 0, 'k'], 'na': 1}]", "[{'p': ['list', 0], 'lm': -1}]"
  })
  void rejectsInvalidOpsAndLeavesTheDocumentAlone(String op) {
    String doc = "{'list': [1, 'two', {'k': 3}], 's': 'héllo', 'n': 4, 'o': {'a': null}}";
    OtDocument d = JSON0.open(j(doc));
    OtException e = assertThrows(OtException.class, () -> d.apply(j(op)));
    assertTrue(e.getMessage().startsWith("json0"), e.getMessage());
    assertEquals(j(doc), d.snapshot());
  }
}
