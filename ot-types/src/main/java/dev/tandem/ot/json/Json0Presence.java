package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.OtException;
import dev.tandem.ot.text.TextOpCodec;
import dev.tandem.ot.text.TextOps;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Presence in a json0 document: {@code {"p": path}} points at an element (a selected shape, a
 * focused card), and {@code {"p": path, "index": n, "length": m}} selects a range inside the
 * string at that path, in code points. Other fields (a name, a colour) are kept.
 *
 * <p>Through an op, the path follows list inserts, deletes and moves the way the element it
 * points at moves; when that element (or one that holds it) is deleted or replaced, the
 * presence becomes null. The range follows {@code text-unicode} subtype edits of its string
 * like a text-unicode selection, and legacy {@code si}/{@code sd} edits by their positions
 * (which count UTF-16 units; the two agree for text without astral characters).
 */
final class Json0Presence {

  private Json0Presence() {}

  static JsonNode transform(JsonNode presence, List<Component> op, boolean ownOp) {
    if (presence == null || presence.isNull() || presence.isMissingNode()) {
      return NullNode.instance;
    }
    if (!presence.isObject() || !presence.has("p")) {
      throw new OtException("json0 presence must be {\"p\": path} with an optional index and length, or null");
    }
    Component probe = Json0Codec.component(pathOnly(presence.get("p")), 0, false);
    List<Object> path = probe.p;
    int[] range = {optional(presence, "index"), optional(presence, "length")};
    for (Component c : op) {
      if (!follow(path, range, c, ownOp)) {
        return NullNode.instance;
      }
    }
    ObjectNode out = ((ObjectNode) presence).deepCopy();
    out.set("p", Json0Codec.toJson(probe).get("p"));
    if (range[0] >= 0) {
      out.put("index", range[0]);
      out.put("length", Math.max(0, range[1]));
    }
    return out;
  }

  private static JsonNode pathOnly(JsonNode p) {
    ObjectNode probe = Json0Codec.toJson(new Component(new ArrayList<>())).deepCopy();
    probe.set("p", p);
    probe.put("na", 0);
    return probe;
  }

  private static int optional(JsonNode presence, String field) {
    JsonNode v = presence.get(field);
    if (v == null) {
      return field.equals("index") ? -1 : 0;
    }
    if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 0) {
      throw new OtException("json0 presence " + field + " must be a whole number >= 0, got " + v);
    }
    return v.asInt();
  }

  /** Moves the path and range through {@code c}; false when the element is gone. */
  private static boolean follow(List<Object> path, int[] range, Component c, boolean ownOp) {
    if (c.isStringEdit()) {
      if (range[0] >= 0 && c.p.subList(0, c.p.size() - 1).equals(path)) {
        moveRange(range, pos -> Text0.transformPosition(pos,
            new Text0.Part((Integer) c.key(), c.si, c.sd), ownOp));
      }
      return true;
    }
    if (c.t != null) {
      if (range[0] >= 0 && c.p.equals(path)) {
        subtypeRange(range, c, ownOp);
      }
      return true;
    }
    if (c.na != null) {
      return true;
    }
    if (c.p.isEmpty()) {
      return false;
    }
    int k = c.p.size() - 1;
    if (path.size() <= k || !path.subList(0, k).equals(c.p.subList(0, k))) {
      return true;
    }
    Object mine = path.get(k);
    Object key = c.key();
    if (c.lm != null) {
      if (mine instanceof Integer x) {
        int from = (Integer) key;
        int to = c.lm;
        path.set(k, x == from ? to : shiftForMove(x, from, to));
      }
      return true;
    }
    if (c.li != null && c.ld == null) {
      if (mine instanceof Integer x && x >= (Integer) key) {
        path.set(k, x + 1);
      }
      return true;
    }
    if (c.ld != null && c.li == null && mine instanceof Integer x && x > (Integer) key) {
      path.set(k, x - 1);
      return true;
    }
    return !mine.equals(key);
  }

  private static int shiftForMove(int x, int from, int to) {
    int y = x > from ? x - 1 : x;
    return y >= to ? y + 1 : y;
  }

  private static void subtypeRange(int[] range, Component c, boolean ownOp) {
    if (c.t.equals("text-unicode")) {
      var op = TextOpCodec.parse(c.o);
      moveRange(range, pos -> TextOps.transformPosition(pos, op, ownOp));
    } else {
      for (Text0.Part part : Text0.parse(c.o, "string edit")) {
        moveRange(range, pos -> Text0.transformPosition(pos, part, ownOp));
      }
    }
  }

  private static void moveRange(int[] range, IntUnaryOperator move) {
    int start = move.applyAsInt(range[0]);
    int end = move.applyAsInt(range[0] + range[1]);
    range[0] = start;
    range[1] = end - start;
  }
}
