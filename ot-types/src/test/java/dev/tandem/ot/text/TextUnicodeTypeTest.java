package dev.tandem.ot.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtTypes;
import dev.tandem.ot.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextUnicodeTypeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TextUnicodeType TEXT = TextUnicodeType.INSTANCE;

  private static JsonNode j(String json) {
    try {
      return JSON.readTree(json.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static String apply(String doc, String op) {
    return TEXT.apply(TextNode.valueOf(doc), j(op)).textValue();
  }

  @Test
  void isRegisteredByNameAndUri() {
    assertEquals(TEXT, OtTypes.byName("text-unicode").orElseThrow());
    assertEquals(TEXT, OtTypes.byUri("http://sharejs.org/types/text-unicode").orElseThrow());
    assertEquals(TEXT, OtTypes.byNameOrUri("http://sharejs.org/types/text-unicode").orElseThrow());
  }

  @Test
  void createsFromNothingOrAString() {
    assertEquals(TextNode.valueOf(""), TEXT.create(NullNode.instance));
    assertEquals(TextNode.valueOf("hi"), TEXT.create(TextNode.valueOf("hi")));
    assertThrows(OtException.class, () -> TEXT.create(j("{}")));
  }

  @Test
  void appliesRetainInsertAndBothDeleteForms() {
    assertEquals("hello world", apply("hello", "[5, ' world']"));
    assertEquals("Hello", apply("hello", "[{'d': 1}, 'H']"));
    assertEquals("ho", apply("hello", "[1, {'d': 'ell'}]"));
    assertEquals("hello", apply("hello", "[]"));
  }

  @Test
  void countsAstralCharactersAsOne() {
    assertEquals("😀x😀", apply("😀😀", "[1, 'x']"));
    assertEquals("a👍🏽", apply("a😀👍🏽", "[1, {'d': 1}]"));
    assertEquals("👍", apply("👍🏽", "[1, {'d': 1}]"));
  }

  @Test
  void tieBreaksInsertsAtOnePlaceBySide() {
    assertEquals(j("['a']"), TEXT.transform(j("['a']"), j("['b']"), Side.LEFT));
    assertEquals(j("[1, 'a']"), TEXT.transform(j("['a']"), j("['b']"), Side.RIGHT));
    assertEquals(j("[2, 'a']"), TEXT.transform(j("[1, 'a']"), j("['😀']"), Side.LEFT));
  }

  @Test
  void transformsOverlappingDeletes() {
    // "abcdef": mine deletes bcd, theirs deletes cde; what is left of mine is b.
    assertEquals(j("[1, {'d': 'b'}]"), TEXT.transform(j("[1, {'d': 'bcd'}]"), j("[2, {'d': 'cde'}]"), Side.LEFT));
    assertEquals(j("[]"), TEXT.transform(j("[2, {'d': 1}]"), j("[1, {'d': 3}]"), Side.LEFT));
    assertEquals(j("[1, 'x']"), TEXT.transform(j("[2, 'x']"), j("[1, {'d': 3}]"), Side.LEFT));
  }

  @Test
  void transformKeepsInsertInsideAConcurrentDelete() {
    assertEquals(j("[1, 'x']"), TEXT.transform(j("[3, 'x']"), j("[1, {'d': 4}]"), Side.RIGHT));
  }

  @Test
  void composesInsertsAndDeletes() {
    assertEquals(j("['abc']"), TEXT.compose(j("['ac']"), j("[1, 'b']")));
    assertEquals(j("[]"), TEXT.compose(j("['abc']"), j("[{'d': 3}]")));
    assertEquals(j("[{'d': 'ab'}]"), TEXT.compose(j("[{'d': 'a'}]"), j("[{'d': 'b'}]")));
    assertEquals(j("[{'d': 2}]"), TEXT.compose(j("[{'d': 'a'}]"), j("[{'d': 1}]")));
  }

  @Test
  void invertsInvertibleOpsAndRefusesLossyDeletes() {
    assertEquals(j("[1, {'d': 'xy'}, 'b']"), TEXT.invert(j("[1, 'xy', {'d': 'b'}]")));
    OtException e = assertThrows(OtException.class, () -> TEXT.invert(j("[1, {'d': 2}]")));
    assertTrue(e.getMessage().contains("component 1"), e.getMessage());
  }

  @Test
  void normalizesDenormalizedOps() {
    assertEquals(j("[3, 'ab']"), TEXT.normalize(j("[1, 0, 2, 'a', 'b', {'d': 0}, 4]")));
    assertTrue(TEXT.isNoop(j("[]")));
    assertFalse(TEXT.isNoop(j("['a']")));
  }

  @Test
  void movesSelectionsAndKeepsOtherFields() {
    JsonNode sel = j("{'index': 2, 'length': 3, 'name': 'ann'}");
    assertEquals(j("{'index': 3, 'length': 3, 'name': 'ann'}"), TEXT.transformPresence(sel, j("['x']"), false));
    // Someone else types at the caret: the caret stays before their text; my own typing pushes it.
    JsonNode caret = j("{'index': 2, 'length': 0}");
    assertEquals(j("{'index': 2, 'length': 0}"), TEXT.transformPresence(caret, j("[2, 'x']"), false));
    assertEquals(j("{'index': 3, 'length': 0}"), TEXT.transformPresence(caret, j("[2, 'x']"), true));
    assertEquals(j("{'index': 1, 'length': 1, 'name': 'ann'}"), TEXT.transformPresence(sel, j("[1, {'d': 3}]"), false));
    assertEquals(NullNode.instance, TEXT.transformPresence(NullNode.instance, j("['x']"), false));
    assertThrows(OtException.class, () -> TEXT.transformPresence(j("{'index': -1}"), j("['x']"), false));
    assertThrows(OtException.class, () -> TEXT.transformPresence(j("[1, 2]"), j("['x']"), false));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "[-1]", "[0, 'a']", "[2]", "[1, 1, 'a']", "['']", "[{'d': 0}]", "[{'d': -2}]", "[{'x': 1}]", "[true]",
    "[null]", "[[1]]", "{'d': 1}", "'abc'", "7", "[1.5, 'a']", "[{'d': 1.5}]", "[9, {'d': 1}]", "[20, 'x']",
    "[1e10, 'x']", "[3, '\\ud800']", "['a', 'b']", "[{'d': 1}, {'d': 1}]", "[2147483648, 'x']"
  })
  void rejectsInvalidOpsWithOtException(String op) {
    OtException e = assertThrows(OtException.class, () -> TEXT.apply(TextNode.valueOf("héllo 😀"), j(op)));
    assertFalse(e.getMessage().isBlank());
  }

  @Test
  void rejectsSnapshotsThatAreNotWellFormedText() {
    assertThrows(OtException.class, () -> TEXT.apply(j("{}"), j("['x']")));
    assertThrows(OtException.class, () -> TEXT.apply(TextNode.valueOf("a\udc00"), j("['x']")));
    assertThrows(OtException.class, () -> TEXT.open(j("[]")));
  }

  @Test
  void documentRejectsAnOpPastItsEndAndStaysAsItWas() {
    OtDocument doc = TEXT.open(TextNode.valueOf("abc"));
    assertThrows(OtException.class, () -> doc.apply(j("[2, 'x', {'d': 5}]")));
    assertEquals(TextNode.valueOf("abc"), doc.snapshot());
    doc.apply(j("[3, '😀']"));
    assertEquals(TextNode.valueOf("abc😀"), doc.snapshot());
  }
}
