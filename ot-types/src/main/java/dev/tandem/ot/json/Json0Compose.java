package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * json0's append (the heart of compose and normalize) and invert, with ot-json0's rules.
 *
 * <p>Append merges a component into the last one when both act on the same path: two
 * subtype edits compose, two number adds sum, an insert followed by the delete of the same
 * primitive cancels, and object inserts and deletes fold into one replace. Legacy string edits
 * ({@code si}/{@code sd}) compose as text0 ops and come back as string edits.
 */
final class Json0Compose {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json0Compose() {}

  static void append(List<Component> dest, Component original) {
    Component c = original.copy();
    if (dest.isEmpty()) {
      dest.add(c);
      return;
    }
    Component last = dest.get(dest.size() - 1);
    boolean strings = c.isStringEdit() && last.isStringEdit();
    if (strings) {
      toSubtype(c);
      toSubtype(last);
    }
    if (!c.p.equals(last.p)) {
      if (strings) {
        toStringEdit(c);
        toStringEdit(last);
      }
      dest.add(c);
      return;
    }
    if (c.t != null && c.t.equals(last.t)) {
      last.o = Subtype.byName(c.t).orElseThrow().compose(last.o, c.o);
      if (c.isStringEdit()) {
        splitStringEdits(dest, c, last);
      }
    } else if (last.na != null && c.na != null) {
      Component sum = new Component(last.p);
      sum.na = JsValues.add(last.na, c.na);
      dest.set(dest.size() - 1, sum);
    } else if (last.li != null && c.li == null && JsValues.identical(c.ld, last.li)) {
      if (last.ld != null) {
        last.li = null;
      } else {
        dest.remove(dest.size() - 1);
      }
    } else if (last.od != null && last.oi == null && c.oi != null && c.od == null) {
      last.oi = c.oi;
    } else if (last.oi != null && c.od != null) {
      if (c.oi != null) {
        last.oi = c.oi;
      } else if (last.od != null) {
        last.oi = null;
      } else {
        dest.remove(dest.size() - 1);
      }
    } else if (c.lm != null && c.lm.equals(c.key())) {
      // A move to where the element already is does nothing.
      return;
    } else {
      dest.add(c);
    }
  }

  /**
   * After two string edits composed as text0 into {@code last.o}: all but the first resulting
   * text0 component become string edits of their own (ot-json0 pops them off the end, and its
   * compose yields at most two), and {@code last} turns back into a string edit.
   */
  private static void splitStringEdits(List<Component> dest, Component c, Component last) {
    List<Object> path = c.p;
    ArrayNode parts = (ArrayNode) last.o;
    for (int i = 0; i < parts.size() - 1; i++) {
      Component piece = c.copy();
      ArrayNode one = NODES.arrayNode();
      one.add(parts.remove(parts.size() - 1));
      piece.o = one;
      piece.p = new ArrayList<>(path);
      toStringEdit(piece);
      dest.add(piece);
    }
    toStringEdit(last);
  }

  /** ot-json0's convertFromText: {@code si}/{@code sd} at p+[n] as a text0 edit at p. */
  static void toSubtype(Component c) {
    c.t = "text0";
    int at = (Integer) c.p.remove(c.p.size() - 1);
    ObjectNode part = NODES.objectNode();
    part.put("p", at);
    if (c.si != null) {
      part.put("i", c.si);
    }
    if (c.sd != null) {
      part.put("d", c.sd);
    }
    c.o = NODES.arrayNode().add(part);
  }

  /** ot-json0's convertToText: the first text0 component back as {@code si}/{@code sd}. */
  static void toStringEdit(Component c) {
    JsonNode part = c.o.get(0);
    c.p.add(part.get("p").asInt());
    if (part.hasNonNull("i")) {
      c.si = part.get("i").textValue();
    }
    if (part.hasNonNull("d")) {
      c.sd = part.get("d").textValue();
    }
    c.t = null;
    c.o = null;
  }

  static List<Component> compose(List<Component> first, List<Component> second) {
    List<Component> out = new ArrayList<>(first.size() + second.size());
    first.forEach(c -> out.add(c.copy()));
    second.forEach(c -> append(out, c));
    return out;
  }

  static List<Component> normalize(List<Component> op) {
    List<Component> out = new ArrayList<>(op.size());
    op.forEach(c -> append(out, c));
    return out;
  }

  static List<Component> invert(List<Component> op) {
    List<Component> out = new ArrayList<>(op.size());
    for (int i = op.size() - 1; i >= 0; i--) {
      out.add(invert(op.get(i)));
    }
    return out;
  }

  private static Component invert(Component c) {
    Component r = new Component(new ArrayList<>(c.p));
    if (c.t != null) {
      r.t = c.t;
      r.o = Subtype.byName(c.t).orElseThrow().invert(c.o);
    }
    r.sd = c.si;
    r.si = c.sd;
    r.od = c.oi;
    r.oi = c.od;
    r.ld = c.li;
    r.li = c.ld;
    r.na = c.na == null ? null : JsValues.negate(c.na);
    if (c.lm != null) {
      r.lm = (Integer) c.key();
      r.p.set(r.p.size() - 1, c.lm);
    }
    return r;
  }
}
