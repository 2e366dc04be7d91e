package dev.tandem.ot.json;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.ot.JsonMeasure;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtException.Kind;
import dev.tandem.ot.text.TextUnicodeType;
import org.junit.jupiter.api.Test;

/** The checks ShareDB 7 makes on json0 ops, and the limits' measures, as {@link Json0Type} makes them. */
class Json0ShareDbChecksTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Json0Type JSON0 = Json0Type.INSTANCE;

  private static JsonNode j(String s) {
    try {
      return JSON.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  private static OtException refused(String op) {
    return assertThrows(OtException.class, () -> JSON0.checkOp(j(op)));
  }

  @Test
  void opsThatAreNotJson0OpsAreBadlyFormed() {
    for (String op : new String[] {"[null]", "{'p': [], 'oi': 1}", "'abc'", "7", "[1]", "[{'oi': 1}]",
        "[{'p': 'a', 'oi': 1}]", "[{'p': ['a'], 'oi': 1}, null]"}) {
      assertEquals(Kind.BADLY_FORMED, refused(op).kind(), op);
    }
  }

  @Test
  void wellFormedOpsThatCannotApplyAreNotApplied() {
    for (String op : new String[] {"[{'p': ['a']}]", "[{'p': ['a'], 'oi': 1, 'x': 2}]", "[{'p': [true], 'oi': 1}]",
        "[{'p': ['a'], 'na': 'one'}]", "[{'p': ['a'], 'li': 1}]"}) {
      assertEquals(Kind.NOT_APPLIED, refused(op).kind(), op);
    }
    OtException e = assertThrows(OtException.class, () -> JSON0.apply(j("{'a': 1}"), j("[{'p': ['b'], 'na': 1}]")));
    assertEquals(Kind.NOT_APPLIED, e.kind());
  }

  @Test
  void refusesEveryPathSegmentShareDbCallsInvalid() {
    for (String key : new String[] {"__proto__", "constructor", "prototype_is_fine", "toString", "valueOf",
        "hasOwnProperty", "__defineGetter__", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString",
        "__lookupSetter__"}) {
      String op = "[{'p': ['x', '" + key + "'], 'oi': 1}]";
      if (key.equals("prototype_is_fine")) {
        assertDoesNotThrow(() -> JSON0.checkOp(j(op)));
        continue;
      }
      OtException e = refused(op);
      assertEquals(Kind.NOT_APPLIED, e.kind(), key);
      assertTrue(e.getMessage().contains("Invalid path segment"), e.getMessage());
    }
    // "prototype" is not a property of Object.prototype, so ShareDB lets it through.
    assertEquals(j("{'prototype': 1}"), JSON0.apply(j("{}"), j("[{'p': ['prototype'], 'oi': 1}]")));
  }

  @Test
  void refusesNumbersThatAreNotFinite() {
    OtException overflow = assertThrows(OtException.class,
        () -> JSON0.apply(j("{'n': 1.7e308}"), j("[{'p': ['n'], 'na': 1.7e308}]")));
    assertEquals(Kind.NOT_APPLIED, overflow.kind());
    assertTrue(overflow.getMessage().contains("not finite"));
    assertEquals(Kind.NOT_APPLIED, refused("[{'p': ['n'], 'na': 1e400}]").kind());
    assertEquals(Kind.NOT_APPLIED, refused("[{'p': ['n'], 'oi': {'deep': [1e999]}}]").kind());
    assertThrows(OtException.class, () -> JSON0.create(j("{'x': -1e400}")));
  }

  @Test
  void aStringIndexAddressesAListAsInJavaScript() {
    JsonNode doc = j("[{'title': 'a'}, {'title': 'b'}]");
    assertEquals(j("[{'title': 'a'}, {'title': 'c'}]"), JSON0.apply(doc, j("[{'p': ['1', 'title'], 'oi': 'c'}]")));
    // Only an index's canonical form: "01" is a property no list has.
    assertThrows(OtException.class, () -> JSON0.apply(doc, j("[{'p': ['01', 'title'], 'oi': 'c'}]")));
    // A concurrent insert before it moves it, as ot-json0 moves it.
    assertEquals(j("[{'p': [2, 'title'], 'oi': 'c'}]"), JSON0.transform(j("[{'p': ['1', 'title'], 'oi': 'c'}]"),
        j("[{'p': [0], 'li': 0}]"), dev.tandem.ot.Side.LEFT));
  }

  @Test
  void nestingDepthComesFromPathAndInsertedValue() {
    assertEquals(0, JSON0.nestingDepth(j("[]")));
    assertEquals(1, JSON0.nestingDepth(j("[{'p': [], 'oi': {}}]")));
    assertEquals(4, JSON0.nestingDepth(j("[{'p': ['a', 0], 'li': [[1]]}, {'p': ['b'], 'oi': 2}]")));
    assertEquals(3, JSON0.nestingDepth(j("[{'p': ['a', 'b', 'c'], 'na': 1}]")));
    assertEquals(0, TextUnicodeType.INSTANCE.nestingDepth(j("[1, 'x']")));
    assertEquals(3, JsonMeasure.depth(j("{'a': [{'b': 1}], 'c': []}")));
    assertFalse(JsonMeasure.hasNonFinite(j("{'a': [1, 2.5, 12345678901234567890]}")));
  }
}
