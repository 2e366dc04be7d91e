package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One json0 op component while the algorithms work on it. Mutable and package-private: the
 * transform and compose rules of ot-json0 are written as edits to a component, and reading
 * them side by side with that code is the best check that they agree. A field that is null is
 * absent; a JSON null value is {@code NullNode}, which is present.
 *
 * <p>Path elements are {@code Integer} (a list index) or {@code String} (an object key).
 */
final class Component {
  List<Object> p;
  JsonNode na;
  JsonNode li;
  JsonNode ld;
  Integer lm;
  JsonNode oi;
  JsonNode od;
  String si;
  String sd;
  String t;
  JsonNode o;

  Component(List<Object> p) {
    this.p = p;
  }

  /** A deep copy, as ot-json0 clones a component before it edits it. */
  Component copy() {
    Component c = new Component(new ArrayList<>(p));
    c.na = na;
    c.li = deep(li);
    c.ld = deep(ld);
    c.lm = lm;
    c.oi = deep(oi);
    c.od = deep(od);
    c.si = si;
    c.sd = sd;
    c.t = t;
    c.o = deep(o);
    return c;
  }

  /** Whether the component edits a string with the legacy {@code si}/{@code sd} form. */
  boolean isStringEdit() {
    return si != null || sd != null;
  }

  /** The length of the path, counting the operand itself for number adds and subtype edits. */
  int operandLength() {
    return p.size() + (na != null || t != null ? 1 : 0);
  }

  /** The path element at {@code i}, or null (JavaScript's undefined) outside the path. */
  Object at(int i) {
    return i >= 0 && i < p.size() ? p.get(i) : null;
  }

  /** The last path element. */
  Object key() {
    return p.isEmpty() ? null : p.get(p.size() - 1);
  }

  private static JsonNode deep(JsonNode n) {
    return n == null ? null : n.deepCopy();
  }
}
