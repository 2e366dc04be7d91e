package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.JsonMeasure;
import dev.tandem.ot.OtException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes json0 ops. A component has a path {@code p} and one instruction:
 * {@code na}; {@code li}, {@code ld} or both; {@code lm}; {@code oi}, {@code od} or both;
 * {@code si} or {@code sd}; or {@code t} with {@code o}.
 *
 * <p>Stricter than ot-json0, which accepts what JavaScript lets through: the last path
 * element of a list instruction must be an index, of an object instruction a key; paths hold
 * only indices ({@code >= 0}) and keys; unknown keys and mixed instructions are refused.
 *
 * <p>As ShareDB 7 (lib/ot.js {@code checkSubmittedJson0Op}), an op that is not an array, or a
 * component that is not an object with an array {@code p}, is {@link OtException.Kind#BADLY_FORMED};
 * a path segment naming a property of JavaScript's {@code Object.prototype} ({@code __proto__},
 * {@code constructor}, ...) is refused as "Invalid path segment" (ShareDB's
 * {@code ERR_OT_OP_NOT_APPLIED}). Numbers that are not finite (in {@code na}, {@code li} or
 * {@code oi}; a literal such as {@code 1e400} reads as Infinity) are refused: JSON cannot carry them.
 */
final class Json0Codec {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> KEYS = Set.of("p", "na", "li", "ld", "lm", "oi", "od", "si", "sd", "t", "o");
  /** {@code Object.getOwnPropertyNames(Object.prototype)} in Node 20: ShareDB's util.isDangerousProperty. */
  private static final Set<String> DANGEROUS = Set.of("constructor", "__defineGetter__", "__defineSetter__",
      "hasOwnProperty", "__lookupGetter__", "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable", "toString",
      "valueOf", "__proto__", "toLocaleString");

  private Json0Codec() {}

  /** A json0 op: an array of components. */
  static List<Component> parse(JsonNode op) {
    if (op == null || !op.isArray()) {
      throw OtException.badlyFormed("json0 op must be an array of components, got " + OtException.describe(op));
    }
    for (int i = 0; i < op.size(); i++) {
      JsonNode c = op.get(i);
      if (c == null || !c.isObject() || c.get("p") == null || !c.get("p").isArray()) {
        throw OtException.badlyFormed("json0 op component " + i + " must be an object with a path p (an array), got "
            + OtException.describe(c));
      }
    }
    List<Component> out = new ArrayList<>(op.size());
    for (int i = 0; i < op.size(); i++) {
      out.add(component(op.get(i), i, false));
    }
    return out;
  }

  /** An op for normalize, which also takes a single component and a missing path. */
  static List<Component> parseLenient(JsonNode op) {
    if (op != null && op.isObject()) {
      return List.of(component(op, 0, true));
    }
    if (op == null || !op.isArray()) {
      throw new OtException("json0 op must be an array of components, got " + OtException.describe(op));
    }
    List<Component> out = new ArrayList<>(op.size());
    for (int i = 0; i < op.size(); i++) {
      out.add(component(op.get(i), i, true));
    }
    return out;
  }

  static Component component(JsonNode json, int index, boolean pathOptional) {
    String where = "json0 op component " + index;
    if (json == null || !json.isObject()) {
      throw new OtException(where + " must be an object, got " + OtException.describe(json));
    }
    Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
    while (fields.hasNext()) {
      String key = fields.next().getKey();
      if (!KEYS.contains(key)) {
        throw new OtException(where + ": unknown key \"" + key + "\"");
      }
    }
    JsonNode p = json.get("p");
    List<Object> path = p == null && pathOptional ? new ArrayList<>() : path(p, where);
    Component c = new Component(path);
    c.na = json.get("na");
    c.li = json.get("li");
    c.ld = json.get("ld");
    c.oi = json.get("oi");
    c.od = json.get("od");
    c.o = json.get("o");
    c.lm = json.has("lm") ? index(json.get("lm"), where + ": lm") : null;
    c.si = string(json, "si", where);
    c.sd = string(json, "sd", where);
    c.t = string(json, "t", where);
    check(c, where);
    for (JsonNode v : new JsonNode[] {c.na, c.li, c.oi}) {
      if (JsonMeasure.hasNonFinite(v)) {
        throw new OtException(where + ": holds a number that is not finite");
      }
    }
    return c;
  }

  private static void check(Component c, String where) {
    String shape = shape(c);
    Object key = c.key();
    switch (shape) {
      case "na" -> {
        if (!c.na.isNumber()) {
          throw new OtException(where + ": na must be a number, got " + OtException.describe(c.na));
        }
      }
      case "li", "ld", "li+ld", "lm", "si", "sd" -> {
        if (!(key instanceof Integer)) {
          throw new OtException(where + ": " + shape + " needs a path ending in a list index, got " + c.p);
        }
        String text = c.si != null ? c.si : c.sd;
        if (text != null && CodePoints.countWellFormed(text) < 0) {
          throw new OtException(where + ": " + shape + " holds an unpaired UTF-16 surrogate");
        }
      }
      case "oi", "oi+od" -> {
        if (!(key instanceof String) && !c.p.isEmpty()) {
          throw new OtException(where + ": " + shape + " needs a path ending in an object key, got " + c.p);
        }
      }
      case "od" -> {
        if (!(key instanceof String)) {
          throw new OtException(where + ": od needs a path ending in an object key, got " + c.p);
        }
      }
      case "t+o" -> {
        if (Subtype.byName(c.t).isEmpty()) {
          throw new OtException(where + ": unknown subtype \"" + c.t + "\"");
        }
      }
      case "t" -> throw new OtException(where + ": subtype edit t needs its op o");
      case "o" -> throw new OtException(where + ": o needs its subtype t");
      default -> throw new OtException(where + ": " + (shape.isEmpty()
          ? "missing instruction (one of na, li, ld, lm, oi, od, si, sd, t)"
          : "instructions " + shape + " cannot be combined in one component"));
    }
  }

  /** The instructions a component carries, joined with '+' in a fixed order. */
  private static String shape(Component c) {
    StringBuilder sb = new StringBuilder();
    mark(sb, c.na != null, "na");
    mark(sb, c.li != null, "li");
    mark(sb, c.ld != null, "ld");
    mark(sb, c.lm != null, "lm");
    mark(sb, c.oi != null, "oi");
    mark(sb, c.od != null, "od");
    mark(sb, c.si != null, "si");
    mark(sb, c.sd != null, "sd");
    mark(sb, c.t != null, "t");
    mark(sb, c.o != null, "o");
    return sb.toString();
  }

  private static void mark(StringBuilder sb, boolean present, String name) {
    if (present) {
      sb.append(sb.length() == 0 ? "" : "+").append(name);
    }
  }

  private static List<Object> path(JsonNode p, String where) {
    if (p == null || !p.isArray()) {
      throw new OtException(where + ": missing path p (an array)");
    }
    List<Object> out = new ArrayList<>(p.size());
    for (JsonNode e : p) {
      if (e.isTextual()) {
        if (DANGEROUS.contains(e.textValue())) {
          throw new OtException(where + ": Invalid path segment");
        }
        out.add(e.textValue());
      } else {
        out.add(index(e, where + ": path element"));
      }
    }
    return out;
  }

  private static int index(JsonNode n, String what) {
    if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToInt() || n.asInt() < 0) {
      throw new OtException(what + " must be a list index (a whole number >= 0) or an object key, got "
          + OtException.describe(n));
    }
    return n.asInt();
  }

  private static String string(JsonNode json, String key, String where) {
    JsonNode v = json.get(key);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw new OtException(where + ": " + key + " must be a string, got " + OtException.describe(v));
    }
    return v.textValue();
  }

  static ArrayNode toJson(List<Component> op) {
    ArrayNode out = NODES.arrayNode(op.size());
    for (Component c : op) {
      out.add(toJson(c));
    }
    return out;
  }

  static ObjectNode toJson(Component c) {
    ObjectNode o = NODES.objectNode();
    ArrayNode p = o.putArray("p");
    for (Object e : c.p) {
      if (e instanceof Integer i) {
        p.add(i);
      } else {
        p.add((String) e);
      }
    }
    putIf(o, "na", c.na);
    putIf(o, "li", c.li);
    putIf(o, "ld", c.ld);
    if (c.lm != null) {
      o.put("lm", c.lm);
    }
    putIf(o, "oi", c.oi);
    putIf(o, "od", c.od);
    if (c.si != null) {
      o.put("si", c.si);
    }
    if (c.sd != null) {
      o.put("sd", c.sd);
    }
    if (c.t != null) {
      o.put("t", c.t);
    }
    putIf(o, "o", c.o);
    return o;
  }

  private static void putIf(ObjectNode o, String key, JsonNode v) {
    if (v != null) {
      o.set(key, v.deepCopy());
    }
  }
}
