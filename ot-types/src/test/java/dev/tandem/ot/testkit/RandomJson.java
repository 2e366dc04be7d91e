package dev.tandem.ot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.json.Json0Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Random JSON documents and json0 ops valid on them: object and list edits, moves, number
 * adds, and string edits, each component valid on the document as the components before it
 * left it.
 *
 * <p>Strings are edited either with the legacy {@code si}/{@code sd} components or with
 * {@code text-unicode} subtype edits, never both: ot-json0 does not transform the two styles
 * against each other, so an app that mixes them on one string does not converge anywhere.
 */
public final class RandomJson {

  private static final String[] KEYS = {"a", "b", "c", "x", "y"};
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Random rnd;
  private final RandomText text;
  private final boolean legacyStrings;
  private final boolean invertible;

  /** A generator whose string edits are {@code si}/{@code sd} when {@code legacyStrings}, else text-unicode. */
  public RandomJson(Random rnd, boolean legacyStrings) {
    this(rnd, legacyStrings, false);
  }

  /** As above; with {@code invertible}, text-unicode deletes always record their text. */
  public RandomJson(Random rnd, boolean legacyStrings, boolean invertible) {
    this.rnd = rnd;
    this.text = new RandomText(rnd);
    this.legacyStrings = legacyStrings;
    this.invertible = invertible;
  }

  /** A document: an object of up to four keys, nesting to {@code depth}. */
  public JsonNode doc(int depth) {
    ObjectNode o = NODES.objectNode();
    int n = 1 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      o.set(KEYS[rnd.nextInt(KEYS.length)], value(depth));
    }
    return o;
  }

  /** Any JSON value, containers nesting to {@code depth}. */
  public JsonNode value(int depth) {
    int kind = rnd.nextInt(depth > 0 ? 8 : 5);
    return switch (kind) {
      case 0 -> NODES.numberNode(rnd.nextInt(10));
      case 1 -> rnd.nextInt(4) == 0 ? quarter(rnd.nextInt(100)) : NODES.numberNode(rnd.nextInt(3));
      case 2, 3 -> NODES.textNode(text.text(6));
      case 4 -> rnd.nextBoolean() ? NODES.booleanNode(rnd.nextBoolean()) : NODES.nullNode();
      case 5, 6 -> {
        ArrayNode a = NODES.arrayNode();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
          a.add(value(depth - 1));
        }
        yield a;
      }
      default -> doc(depth - 1);
    };
  }

  /** An op of one to three components valid on {@code doc}. */
  public ArrayNode op(JsonNode doc) {
    ArrayNode op = NODES.arrayNode();
    JsonNode current = doc;
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      ObjectNode c = component(current);
      op.add(c);
      current = Json0Type.INSTANCE.apply(current, NODES.arrayNode().add(c));
    }
    return op;
  }

  /** One component valid on {@code doc}. */
  public ObjectNode component(JsonNode doc) {
    if (rnd.nextInt(40) == 0) {
      ObjectNode c = NODES.objectNode();
      c.putArray("p");
      c.set("od", doc.deepCopy());
      c.set("oi", doc(1));
      return c;
    }
    List<Object> path = new ArrayList<>();
    JsonNode node = doc;
    while (node.isContainerNode() && node.size() > 0 && rnd.nextInt(3) != 0) {
      Object key = pickKey(node);
      path.add(key);
      node = key instanceof Integer i ? node.get(i) : node.get((String) key);
    }
    return edit(path, node);
  }

  /** A path (with its node) to an existing element: a presence target. */
  public List<Object> somePath(JsonNode doc) {
    List<Object> path = new ArrayList<>();
    JsonNode node = doc;
    while (node.isContainerNode() && node.size() > 0 && rnd.nextInt(4) != 0) {
      Object key = pickKey(node);
      path.add(key);
      node = key instanceof Integer i ? node.get(i) : node.get((String) key);
    }
    return path;
  }

  private Object pickKey(JsonNode node) {
    if (node.isArray()) {
      return rnd.nextInt(node.size());
    }
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names.get(rnd.nextInt(names.size()));
  }

  /** An edit of the container {@code node} at {@code path}, or of the value there. */
  private ObjectNode edit(List<Object> path, JsonNode node) {
    if (node.isArray()) {
      return listEdit(path, (ArrayNode) node);
    }
    if (node.isObject()) {
      return objectEdit(path, (ObjectNode) node);
    }
    if (path.isEmpty()) {
      return objectEdit(path, NODES.objectNode());
    }
    if (node.isNumber() && rnd.nextBoolean()) {
      ObjectNode c = at(path);
      c.set("na", rnd.nextInt(4) == 0 ? quarter(rnd.nextInt(10)) : NODES.numberNode(rnd.nextInt(7) - 3));
      return c;
    }
    if (node.isTextual() && rnd.nextInt(4) != 0) {
      return stringEdit(path, node.textValue());
    }
    return replaceHere(path, node);
  }

  private ObjectNode replaceHere(List<Object> path, JsonNode node) {
    ObjectNode c = at(path);
    if (path.get(path.size() - 1) instanceof Integer) {
      c.set("ld", node.deepCopy());
      c.set("li", value(1));
    } else {
      c.set("od", node.deepCopy());
      c.set("oi", value(1));
    }
    return c;
  }

  private ObjectNode listEdit(List<Object> path, ArrayNode list) {
    int n = list.size();
    int kind = n == 0 ? 0 : rnd.nextInt(4);
    List<Object> p = new ArrayList<>(path);
    switch (kind) {
      case 0 -> {
        p.add(rnd.nextInt(n + 1));
        ObjectNode c = at(p);
        c.set("li", rnd.nextInt(3) == 0 && n > 0 ? list.get(rnd.nextInt(n)).deepCopy() : value(1));
        return c;
      }
      case 1 -> {
        int i = rnd.nextInt(n);
        p.add(i);
        return at(p).set("ld", list.get(i).deepCopy());
      }
      case 2 -> {
        int i = rnd.nextInt(n);
        p.add(i);
        ObjectNode c = at(p);
        c.set("ld", list.get(i).deepCopy());
        c.set("li", value(1));
        return c;
      }
      default -> {
        p.add(rnd.nextInt(n));
        return at(p).put("lm", rnd.nextInt(n));
      }
    }
  }

  private ObjectNode objectEdit(List<Object> path, ObjectNode obj) {
    List<String> free = new ArrayList<>();
    for (String k : KEYS) {
      if (!obj.has(k)) {
        free.add(k);
      }
    }
    List<Object> p = new ArrayList<>(path);
    if (obj.isEmpty() || (!free.isEmpty() && rnd.nextBoolean())) {
      if (free.isEmpty()) {
        free.add("z");
      }
      p.add(free.get(rnd.nextInt(free.size())));
      ObjectNode c = at(p);
      c.set("oi", value(1));
      return c;
    }
    Iterator<String> names = obj.fieldNames();
    List<String> keys = new ArrayList<>();
    names.forEachRemaining(keys::add);
    String key = keys.get(rnd.nextInt(keys.size()));
    p.add(key);
    ObjectNode c = at(p);
    c.set("od", obj.get(key).deepCopy());
    if (rnd.nextBoolean()) {
      c.set("oi", value(1));
    }
    return c;
  }

  private ObjectNode stringEdit(List<Object> path, String s) {
    int len = CodePoints.count(s);
    if (!legacyStrings) {
      ObjectNode c = at(path);
      c.put("t", "text-unicode");
      c.set("o", invertible ? text.invertibleOp(s) : text.op(s));
      if (c.get("o").isEmpty()) {
        c.set("o", NODES.arrayNode().add(text.nonEmptyText(2)));
      }
      return c;
    }
    List<Object> p = new ArrayList<>(path);
    int cp = rnd.nextInt(len + 1);
    int at = CodePoints.offset(s, 0, cp);
    p.add(at);
    ObjectNode c = at(p);
    if (cp < len && rnd.nextBoolean()) {
      int n = 1 + rnd.nextInt(Math.min(3, len - cp));
      c.put("sd", CodePoints.slice(s, cp, cp + n));
    } else {
      c.put("si", text.nonEmptyText(3));
    }
    return c;
  }

  /** {@code n / 4} as JavaScript would print it: whole values without a fraction. */
  private static JsonNode quarter(int n) {
    return n % 4 == 0 ? NODES.numberNode(n / 4) : NODES.numberNode(n / 4.0);
  }

  private static ObjectNode at(List<Object> path) {
    ObjectNode c = NODES.objectNode();
    ArrayNode p = c.putArray("p");
    for (Object e : path) {
      if (e instanceof Integer i) {
        p.add(i);
      } else {
        p.add((String) e);
      }
    }
    return c;
  }

  public RandomText text() {
    return text;
  }

  public Random random() {
    return rnd;
  }
}
