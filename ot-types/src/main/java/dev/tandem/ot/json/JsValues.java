package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.util.List;

/**
 * JavaScript's view of values where json0's rules depend on it: number arithmetic in doubles,
 * and the comparisons ot-json0 makes between path elements. Path elements of different kinds
 * (an index against an object key) never compare as ordered; ot-json0 would coerce numeric
 * strings, which only happens for ops that disagree about the shape of the document.
 */
final class JsValues {

  /** The largest integer a double holds exactly. */
  private static final double MAX_SAFE = 9007199254740991d;

  private JsValues() {}

  /** {@code a + b} as JavaScript computes it, as the JSON number JavaScript would print. */
  static JsonNode add(JsonNode a, JsonNode b) {
    if (a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()) {
      long x = a.longValue();
      long y = b.longValue();
      if (Math.abs(x) <= MAX_SAFE && Math.abs(y) <= MAX_SAFE) {
        return number(x + y);
      }
    }
    return number(a.doubleValue() + b.doubleValue());
  }

  /** {@code -a} as JavaScript computes it. */
  static JsonNode negate(JsonNode a) {
    return a.isIntegralNumber() && a.canConvertToLong() && a.longValue() != Long.MIN_VALUE
        ? number(-a.longValue())
        : number(-a.doubleValue());
  }

  /** A number that prints as JavaScript prints it: whole values without a fraction. */
  static JsonNode number(double d) {
    if (d == Math.rint(d) && Math.abs(d) <= MAX_SAFE) {
      return number((long) d);
    }
    return DoubleNode.valueOf(d);
  }

  private static JsonNode number(long v) {
    return v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
  }

  /** JavaScript's {@code ===} on path elements (null is undefined). */
  static boolean same(Object a, Object b) {
    return a == null ? b == null : a.equals(b);
  }

  /** JavaScript's {@code ==} on path elements: a number equals the string that reads as it. */
  static boolean loosely(Object a, Object b) {
    if (a instanceof Integer i && b instanceof String s) {
      return readsAs(s, i);
    }
    if (a instanceof String s && b instanceof Integer i) {
      return readsAs(s, i);
    }
    return same(a, b);
  }

  private static boolean readsAs(String s, int value) {
    String t = s.strip();
    if (t.isEmpty()) {
      return value == 0;
    }
    try {
      return Double.parseDouble(t) == value && !t.endsWith("d") && !t.endsWith("f") && !t.endsWith("D")
          && !t.endsWith("F");
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** {@code a < b} for two indices; false when either is not a number. */
  static boolean less(Object a, Object b) {
    return a instanceof Integer x && b instanceof Integer y && x < y;
  }

  /** {@code a <= b} for two indices; false when either is not a number. */
  static boolean atMost(Object a, Object b) {
    return a instanceof Integer x && b instanceof Integer y && x <= y;
  }

  /** Adds {@code delta} to the index at {@code i} of {@code path}, if there is one. */
  static void shift(List<Object> path, int i, int delta) {
    if (i >= 0 && i < path.size() && path.get(i) instanceof Integer n) {
      path.set(i, n + delta);
    }
  }

  /** JavaScript's {@code ===} on two op values: equal primitives; objects and arrays never. */
  static boolean identical(JsonNode a, JsonNode b) {
    if (a == null || b == null || a.isContainerNode() || b.isContainerNode()) {
      return false;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.doubleValue() == b.doubleValue();
    }
    return a.equals(b);
  }
}
