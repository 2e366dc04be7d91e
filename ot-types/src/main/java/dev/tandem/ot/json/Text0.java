package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.ot.OtException;
import dev.tandem.ot.Side;
import java.util.ArrayList;
import java.util.List;

/**
 * The legacy {@code text0} string type that json0 uses for its {@code si}/{@code sd}
 * components, as ot-json0 1.x bundles it. Ops are lists of {@code {"p": n, "i": "text"}} and
 * {@code {"p": n, "d": "text"}}; positions count UTF-16 units, as JavaScript strings do.
 * Prefer the {@code text-unicode} subtype, which counts code points.
 *
 * <p>Stricter than the npm type: a position past the end of the string, or one that splits a
 * surrogate pair, is refused rather than clamped or split.
 */
final class Text0 extends BootstrapTransform<Text0.Part> implements Subtype {

  static final Text0 INSTANCE = new Text0();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** One component: an insert ({@code i} set) or a delete ({@code d} set) at {@code p}. */
  record Part(int p, String i, String d) {
    boolean isInsert() {
      return i != null;
    }

    String text() {
      return i != null ? i : d;
    }
  }

  private Text0() {}

  @Override
  public String name() {
    return "text0";
  }

  static List<Part> parse(JsonNode op, String where) {
    if (!op.isArray()) {
      throw new OtException(where + ": a text0 op must be an array, got " + op);
    }
    List<Part> out = new ArrayList<>(op.size());
    for (JsonNode c : op) {
      if (!c.isObject()) {
        throw new OtException(where + ": a text0 component must be {\"p\":n,\"i\":...} or {\"p\":n,\"d\":...}");
      }
      JsonNode p = c.get("p");
      JsonNode i = c.get("i");
      JsonNode d = c.get("d");
      if (p == null || !p.canConvertToExactIntegral() || !p.canConvertToInt() || p.asInt() < 0) {
        throw new OtException(where + ": a text0 component needs a position p >= 0, got " + c);
      }
      if ((i != null && i.isTextual()) == (d != null && d.isTextual()) || c.size() != 2) {
        throw new OtException(where + ": a text0 component needs exactly one of i or d as a string, got " + c);
      }
      out.add(new Part(p.asInt(), i == null ? null : i.textValue(), d == null ? null : d.textValue()));
    }
    return out;
  }

  static ArrayNode toJson(List<Part> op) {
    ArrayNode out = NODES.arrayNode(op.size());
    for (Part c : op) {
      ObjectNode o = out.addObject();
      o.put(c.isInsert() ? "i" : "d", c.text());
      o.put("p", c.p());
    }
    return out;
  }

  @Override
  public JsonNode apply(JsonNode snapshot, JsonNode op) {
    if (snapshot == null || !snapshot.isTextual()) {
      throw new OtException("a string edit needs a string, found " + (snapshot == null ? "nothing" : snapshot));
    }
    String s = snapshot.textValue();
    for (Part c : parse(op, "string edit")) {
      checkBoundary(s, c.p());
      if (c.isInsert()) {
        checkText(c.i());
        s = s.substring(0, c.p()) + c.i() + s.substring(c.p());
      } else {
        int end = c.p() + c.d().length();
        if (end > s.length() || !s.startsWith(c.d(), c.p())) {
          throw new OtException("string delete of \"" + c.d() + "\" at " + c.p() + " does not match the text there");
        }
        checkBoundary(s, end);
        s = s.substring(0, c.p()) + s.substring(end);
      }
    }
    return TextNode.valueOf(s);
  }

  private static void checkBoundary(String s, int pos) {
    if (pos > s.length()) {
      throw new OtException("string position " + pos + " is past the end of the string (length " + s.length() + ")");
    }
    if (pos > 0 && pos < s.length() && Character.isHighSurrogate(s.charAt(pos - 1))
        && Character.isLowSurrogate(s.charAt(pos))) {
      throw new OtException("string position " + pos + " splits a surrogate pair");
    }
  }

  private static void checkText(String s) {
    if (dev.tandem.ot.CodePoints.countWellFormed(s) < 0) {
      throw new OtException("string insert holds an unpaired UTF-16 surrogate");
    }
  }

  @Override
  public JsonNode transform(JsonNode op, JsonNode other, Side side) {
    return toJson(transform(parse(op, "string edit"), parse(other, "string edit"), side));
  }

  @Override
  public JsonNode compose(JsonNode first, JsonNode second) {
    List<Part> out = new ArrayList<>(parse(first, "string edit"));
    for (Part c : parse(second, "string edit")) {
      append(out, c);
    }
    return toJson(out);
  }

  @Override
  public JsonNode invert(JsonNode op) {
    List<Part> parts = parse(op, "string edit");
    List<Part> out = new ArrayList<>(parts.size());
    for (int k = parts.size() - 1; k >= 0; k--) {
      Part c = parts.get(k);
      out.add(c.isInsert() ? new Part(c.p(), null, c.i()) : new Part(c.p(), c.d(), null));
    }
    return toJson(out);
  }

  @Override
  public boolean isEmpty(JsonNode op) {
    return op.isArray() && op.isEmpty();
  }

  @Override
  void append(List<Part> dest, Part c) {
    if (c.text().isEmpty()) {
      return;
    }
    if (dest.isEmpty()) {
      dest.add(c);
      return;
    }
    Part last = dest.get(dest.size() - 1);
    if (last.isInsert() && c.isInsert() && last.p() <= c.p() && c.p() <= last.p() + last.i().length()) {
      dest.set(dest.size() - 1, new Part(last.p(), inject(last.i(), c.p() - last.p(), c.i()), null));
    } else if (!last.isInsert() && !c.isInsert() && c.p() <= last.p() && last.p() <= c.p() + c.d().length()) {
      dest.set(dest.size() - 1, new Part(c.p(), null, inject(c.d(), last.p() - c.p(), last.d())));
    } else {
      dest.add(c);
    }
  }

  private static String inject(String s, int at, String text) {
    return s.substring(0, at) + text + s.substring(at);
  }

  /** Where a position ends up after component {@code c}; {@code insertAfter} decides ties with an insert. */
  static int transformPosition(int pos, Part c, boolean insertAfter) {
    if (c.isInsert()) {
      return c.p() < pos || (c.p() == pos && insertAfter) ? pos + c.i().length() : pos;
    }
    if (pos <= c.p()) {
      return pos;
    }
    return pos <= c.p() + c.d().length() ? c.p() : pos - c.d().length();
  }

  @Override
  void transformComponent(List<Part> dest, Part c, Part other, Side side) {
    if (c.isInsert()) {
      append(dest, new Part(transformPosition(c.p(), other, side == Side.RIGHT), c.i(), null));
    } else if (other.isInsert()) {
      String s = c.d();
      if (c.p() < other.p()) {
        append(dest, new Part(c.p(), null, s.substring(0, Math.min(s.length(), other.p() - c.p()))));
        s = s.substring(Math.min(s.length(), other.p() - c.p()));
      }
      if (!s.isEmpty()) {
        append(dest, new Part(c.p() + other.i().length(), null, s));
      }
    } else if (c.p() >= other.p() + other.d().length()) {
      append(dest, new Part(c.p() - other.d().length(), null, c.d()));
    } else if (c.p() + c.d().length() <= other.p()) {
      append(dest, c);
    } else {
      transformOverlappingDeletes(dest, c, other);
    }
  }

  private void transformOverlappingDeletes(List<Part> dest, Part c, Part other) {
    String kept = "";
    if (c.p() < other.p()) {
      kept = c.d().substring(0, other.p() - c.p());
    }
    int otherEnd = other.p() + other.d().length();
    if (c.p() + c.d().length() > otherEnd) {
      kept += c.d().substring(otherEnd - c.p());
    }
    int from = Math.max(c.p(), other.p());
    int to = Math.min(c.p() + c.d().length(), otherEnd);
    String mine = c.d().substring(from - c.p(), to - c.p());
    String theirs = other.d().substring(from - other.p(), to - other.p());
    if (!mine.equals(theirs)) {
      throw new OtException("string deletes remove different text in the same region of the string");
    }
    if (!kept.isEmpty()) {
      append(dest, new Part(transformPosition(c.p(), other, false), null, kept));
    }
  }
}
