package dev.tandem.ot.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.OtException;
import dev.tandem.ot.text.TextComponent.Delete;
import dev.tandem.ot.text.TextComponent.Insert;
import dev.tandem.ot.text.TextComponent.Retain;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and writes text-unicode ops as JSON: {@code [3, "hi", {"d": 2}, 5, {"d": "old"}]}.
 *
 * <p>{@link #parse} accepts exactly what ot-text-unicode's checkOp accepts, minus what only
 * JavaScript's loose typing lets through (fractional counts, booleans, unpaired surrogates,
 * extra keys beside {@code d}). {@link #parseLenient} also accepts the denormalized forms
 * {@code normalize} cleans up.
 */
public final class TextOpCodec {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TextOpCodec() {}

  /** A normalized op, as every operation but normalize requires. */
  public static TextOp parse(JsonNode json) {
    return read(json, true);
  }

  /** An op that may hold empty components, neighbours of one kind and a trailing retain. */
  public static TextOp parseLenient(JsonNode json) {
    return read(json, false);
  }

  private static TextOp read(JsonNode json, boolean strict) {
    if (json == null || !json.isArray()) {
      throw new OtException("text op must be an array of components, got " + OtException.describe(json));
    }
    TextOpBuilder out = new TextOpBuilder();
    TextComponent last = null;
    for (int i = 0; i < json.size(); i++) {
      TextComponent c = component(json.get(i), i, strict);
      if (strict && c instanceof Retain && last instanceof Retain) {
        throw new OtException("text op component " + i + ": adjacent retains must be combined");
      }
      out.add(c);
      last = c;
    }
    if (strict && last instanceof Retain) {
      throw new OtException("text op has a trailing retain (component " + (json.size() - 1) + ")");
    }
    TextOp op = out.build();
    if (strict && op.size() != json.size()) {
      throw new OtException("text op is not normalized: adjacent inserts or deletes must be combined");
    }
    return op;
  }

  private static TextComponent component(JsonNode c, int i, boolean strict) {
    if (c.isNumber()) {
      int n = count(c, "retain", i);
      if (n <= 0 && (strict || n < 0)) {
        throw new OtException("text op component " + i + ": a retain must be > 0, got " + c);
      }
      return new Retain(n);
    }
    if (c.isTextual()) {
      String s = c.textValue();
      if (s.isEmpty() && strict) {
        throw new OtException("text op component " + i + ": an insert must not be empty");
      }
      return new Insert(s, wellFormed(s, i));
    }
    if (c.isObject()) {
      return delete((ObjectNode) c, i, strict);
    }
    throw new OtException("text op component " + i + " must be a number (retain), a string (insert) or {\"d\":...}"
        + " (delete), got " + OtException.describe(c));
  }

  private static Delete delete(ObjectNode c, int i, boolean strict) {
    Iterator<Map.Entry<String, JsonNode>> fields = c.fields();
    JsonNode d = null;
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (!f.getKey().equals("d")) {
        throw new OtException("text op component " + i + ": unknown key \"" + f.getKey() + "\" in a delete");
      }
      d = f.getValue();
    }
    if (d == null) {
      throw new OtException("text op component " + i + ": an object component must be a delete {\"d\":...}");
    }
    Delete del;
    if (d.isTextual()) {
      String s = d.textValue();
      del = new Delete(wellFormed(s, i), s);
    } else if (d.isNumber()) {
      del = Delete.of(count(d, "delete", i));
    } else {
      throw new OtException("text op component " + i + ": a delete must be a number or a string, got " + OtException.describe(d));
    }
    if (del.count() <= 0 && (strict || del.count() < 0)) {
      throw new OtException("text op component " + i + ": a delete must not be empty or negative, got " + d);
    }
    return del;
  }

  private static int count(JsonNode n, String what, int i) {
    if (!n.canConvertToExactIntegral() || !n.canConvertToInt()) {
      throw new OtException("text op component " + i + ": a " + what + " must be a whole number that fits 32 bits, got " + n);
    }
    return n.asInt();
  }

  private static int wellFormed(String s, int i) {
    int n = CodePoints.countWellFormed(s);
    if (n < 0) {
      throw new OtException("text op component " + i + ": text holds an unpaired UTF-16 surrogate");
    }
    return n;
  }

  /** The JSON form of {@code op}. */
  public static ArrayNode toJson(TextOp op) {
    ArrayNode out = NODES.arrayNode(op.size());
    for (int i = 0; i < op.size(); i++) {
      TextComponent c = op.get(i);
      if (c instanceof Retain r) {
        out.add(r.count());
      } else if (c instanceof Insert ins) {
        out.add(ins.text());
      } else {
        Delete d = (Delete) c;
        ObjectNode o = out.addObject();
        if (d.invertible()) {
          o.put("d", d.text());
        } else {
          o.put("d", d.count());
        }
      }
    }
    return out;
  }
}
