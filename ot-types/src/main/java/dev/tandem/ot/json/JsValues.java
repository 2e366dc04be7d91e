package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.util.List;

/**
 * JavaScript's view of values where json0's rules depend on it: number arithmetic in doubles,
 * and the comparisons ot-json0 makes between path elements, with JavaScript's coercions: a
 * string path element compared with an index reads as a number, as ot-json0 1.1.0 lets a
 * string index ({@code "0"}) address a list.
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

  /**
   * {@code a < b} for path elements as JavaScript compares them: numbers numerically, a string
   * against a number as the number the string reads as (never, when it reads as none), two
   * strings by their UTF-16 units; false when either is undefined.
   */
  static boolean less(Object a, Object b) {
    return compare(a, b) < 0;
  }

  /** {@code a <= b} for path elements, as {@link #less} compares them. */
  static boolean atMost(Object a, Object b) {
    return compare(a, b) <= 0;
  }

  /** Negative, zero or positive as JavaScript's relational operators see a and b; MAX_VALUE when unordered. */
  private static int compare(Object a, Object b) {
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    Double x = asNumber(a);
    Double y = asNumber(b);
    if (x == null || y == null || x.isNaN() || y.isNaN()) {
      return Integer.MAX_VALUE;
    }
    return Double.compare(x, y);
  }

  /** JavaScript's Number() of a path element, or null for undefined. */
  private static Double asNumber(Object o) {
    if (o instanceof Integer i) {
      return i.doubleValue();
    }
    if (o instanceof String s) {
      String t = s.strip();
      if (t.isEmpty()) {
        return 0d;
      }
      if (t.endsWith("d") || t.endsWith("f") || t.endsWith("D") || t.endsWith("F")) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(t);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return null;
  }

  /**
   * Adds {@code delta} to the index at {@code i} of {@code path}, as JavaScript's {@code ++} and
   * {@code --} do: a string that reads as a whole number becomes that number plus delta.
   */
  static void shift(List<Object> path, int i, int delta) {
    if (i < 0 || i >= path.size()) {
      return;
    }
    Object e = path.get(i);
    if (e instanceof Integer n) {
      path.set(i, n + delta);
    } else if (e instanceof String) {
      double d = asNumber(e);
      if (d == Math.rint(d) && Math.abs(d) < 1e9) {
        path.set(i, (int) d + delta);
      }
    }
  }

  /**
   * The list index a path element names when it is used on a list, as JavaScript's {@code list[key]}
   * reads: an index, or a string that is exactly an index's canonical form ({@code "0"}, {@code "12"},
   * not {@code "01"} or {@code " 1"}); -1 otherwise. ot-json0 accepts such string indexes.
   */
  static int listIndex(Object key) {
    if (key instanceof Integer i) {
      return i;
    }
    if (key instanceof String s && !s.isEmpty() && s.length() <= 9 && s.chars().allMatch(ch -> ch >= '0' && ch <= '9')
        && (s.length() == 1 || s.charAt(0) != '0')) {
      return Integer.parseInt(s);
    }
    return -1;
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
