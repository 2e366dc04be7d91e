package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.OtException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Applies json0 ops to a JSON tree in place. Every change is journaled, so a failing op can
 * be rolled back: apply is all or nothing.
 *
 * <p>Stricter than ot-json0, which lets JavaScript's arrays and objects absorb mistakes: a
 * path must lead through existing lists and objects, a list index must be in range, an
 * {@code od} or {@code ld} must remove something that exists. Like ot-json0 (and ShareDB),
 * the values an {@code ld} or {@code od} carries are not compared with what they remove, and
 * {@code oi} without {@code od} replaces an existing key.
 */
final class Json0Apply {

  /** The document's root, which an op with an empty path can replace. */
  static final class Root {
    JsonNode value;

    Root(JsonNode value) {
      this.value = value;
    }
  }

  private final Root root;
  private final Deque<Runnable> undo = new ArrayDeque<>();

  private Json0Apply(Root root) {
    this.root = root;
  }

  /** Applies {@code op} to {@code root}, leaving it as it was when the op is invalid. */
  static void apply(Root root, List<Component> op) {
    Json0Apply run = new Json0Apply(root);
    int i = 0;
    try {
      for (; i < op.size(); i++) {
        run.component(op.get(i), i);
      }
    } catch (OtException e) {
      run.rollback();
      throw e.getMessage().startsWith("json0") ? e : new OtException("json0 op component " + i + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      run.rollback();
      throw new OtException("json0 op component " + i + " could not be applied: " + e, e);
    }
  }

  /** The value {@code value} after a single component, as ot-json0's apply of {@code [c]}. */
  static JsonNode applyTo(JsonNode value, Component c) {
    Root r = new Root(value.deepCopy());
    apply(r, List.of(c));
    return r.value;
  }

  private void rollback() {
    while (!undo.isEmpty()) {
      undo.pop().run();
    }
  }

  private void component(Component c, int index) {
    String where = "json0 op component " + index;
    if (c.isStringEdit()) {
      stringEdit(c, where);
      return;
    }
    if (c.p.isEmpty()) {
      rootEdit(c, where);
      return;
    }
    JsonNode parent = walk(c.p, c.p.size() - 1, where);
    Object key = c.key();
    if (c.na != null || c.t != null) {
      JsonNode current = child(parent, key, c.p, c.p.size() - 1, where);
      set(parent, key, c.na != null ? add(current, c.na, where) : subtype(c).apply(current, c.o));
    } else if (c.li != null || c.ld != null || c.lm != null) {
      listEdit(list(parent, where), (Integer) key, c, where);
    } else {
      objectEdit(object(parent, where), (String) key, c, where);
    }
  }

  private void rootEdit(Component c, String where) {
    JsonNode old = root.value;
    if (c.na != null) {
      root.value = add(old, c.na, where);
    } else if (c.t != null) {
      root.value = subtype(c).apply(old, c.o);
    } else if (c.oi != null) {
      root.value = c.oi.deepCopy();
    } else {
      throw new OtException(where + ": at the root path [] only oi, na and subtype edits apply");
    }
    undo.push(() -> root.value = old);
  }

  private void stringEdit(Component c, String where) {
    List<Object> stringPath = c.p.subList(0, c.p.size() - 1);
    JsonNode sub = Text0.toJson(List.of(new Text0.Part((Integer) c.key(), c.si, c.sd)));
    if (stringPath.isEmpty()) {
      JsonNode old = root.value;
      root.value = Text0.INSTANCE.apply(old, sub);
      undo.push(() -> root.value = old);
      return;
    }
    JsonNode parent = walk(stringPath, stringPath.size() - 1, where);
    Object key = stringPath.get(stringPath.size() - 1);
    set(parent, key, Text0.INSTANCE.apply(child(parent, key, stringPath, stringPath.size() - 1, where), sub));
  }

  private void listEdit(ArrayNode list, int i, Component c, String where) {
    int size = list.size();
    if (c.lm != null) {
      if (i >= size || c.lm >= size) {
        throw new OtException(where + ": lm moves index " + i + " to " + c.lm + " in a list of " + size);
      }
      JsonNode moved = list.remove(i);
      list.insert(c.lm, moved);
      int to = c.lm;
      undo.push(() -> list.insert(i, list.remove(to)));
    } else if (c.ld == null) {
      if (i > size) {
        throw new OtException(where + ": li at index " + i + " is past the end of a list of " + size);
      }
      list.insert(i, c.li.deepCopy());
      undo.push(() -> list.remove(i));
    } else {
      if (i >= size) {
        throw new OtException(where + ": " + (c.li != null ? "li+ld" : "ld") + " at index " + i
            + " is outside a list of " + size);
      }
      JsonNode old = c.li != null ? list.set(i, c.li.deepCopy()) : list.remove(i);
      undo.push(c.li != null ? () -> list.set(i, old) : () -> list.insert(i, old));
    }
  }

  private void objectEdit(ObjectNode obj, String key, Component c, String where) {
    JsonNode old = obj.get(key);
    if (c.oi != null) {
      obj.set(key, c.oi.deepCopy());
    } else if (old == null) {
      throw new OtException(where + ": od removes key \"" + key + "\", which does not exist");
    } else {
      obj.remove(key);
    }
    undo.push(() -> restore(obj, key, old));
  }

  private static void restore(ObjectNode obj, String key, JsonNode old) {
    if (old == null) {
      obj.remove(key);
    } else {
      obj.set(key, old);
    }
  }

  /** Sets the existing child at {@code key}, journaling the old value. */
  private void set(JsonNode parent, Object key, JsonNode value) {
    if (parent instanceof ArrayNode list) {
      int i = JsValues.listIndex(key);
      JsonNode old = list.set(i, value);
      undo.push(() -> list.set(i, old));
    } else {
      ObjectNode obj = (ObjectNode) parent;
      JsonNode old = obj.replace((String) key, value);
      undo.push(() -> restore(obj, (String) key, old));
    }
  }

  /** The node at the first {@code depth} elements of {@code path}. */
  private JsonNode walk(List<Object> path, int depth, String where) {
    JsonNode node = root.value;
    for (int i = 0; i < depth; i++) {
      node = child(node, path.get(i), path, i, where);
    }
    return node;
  }

  private static JsonNode child(JsonNode node, Object key, List<Object> path, int depth, String where) {
    JsonNode next = null;
    int i = node instanceof ArrayNode ? JsValues.listIndex(key) : -1;
    if (node instanceof ArrayNode list && i >= 0) {
      next = i < list.size() ? list.get(i) : null;
    } else if (node instanceof ObjectNode obj && key instanceof String k) {
      next = obj.get(k);
    }
    if (next == null) {
      throw new OtException(where + ": path " + path + " leads to nothing at element " + depth + " (" + key
          + ") of " + kind(node));
    }
    return next;
  }

  private static ArrayNode list(JsonNode node, String where) {
    if (!(node instanceof ArrayNode a)) {
      throw new OtException(where + ": referenced element is not a list but " + kind(node));
    }
    return a;
  }

  private static ObjectNode object(JsonNode node, String where) {
    if (!(node instanceof ObjectNode o)) {
      throw new OtException(where + ": referenced element is not an object but " + kind(node));
    }
    return o;
  }

  private static JsonNode add(JsonNode current, JsonNode na, String where) {
    if (current == null || !current.isNumber()) {
      throw new OtException(where + ": na needs a number, found " + kind(current));
    }
    JsonNode sum = JsValues.add(current, na);
    if (!Double.isFinite(sum.doubleValue())) {
      throw new OtException(where + ": na would make the number " + current + " not finite");
    }
    return sum;
  }

  private static Subtype subtype(Component c) {
    return Subtype.byName(c.t).orElseThrow(() -> new OtException("unknown subtype \"" + c.t + "\""));
  }

  private static String kind(JsonNode n) {
    return n == null ? "nothing" : n.getNodeType().name().toLowerCase();
  }
}
