package dev.tandem.standalone;

import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded ShareDB frames for the fuzz test: a valid request of every action, then mutated (a
 * field dropped, a value of another type, huge or non-finite numbers, deep nesting, unicode
 * junk, a wrong version, another action), or plain random JSON, or not JSON at all.
 */
final class FuzzFrames {

  /** One frame to send: its text (or raw bytes when not valid UTF-8) and the action it claims. */
  record Frame(String text, byte[] bytes, String action) {
    @Override
    public String toString() {
      String shown = text != null ? text : "(bytes " + java.util.HexFormat.of().formatHex(bytes, 0, Math.min(40, bytes.length)) + ")";
      return shown.length() > 300 ? shown.substring(0, 300) + "... (" + shown.length() + " chars)" : shown;
    }
  }

  /** A value written into the frame as it is: JSON text no JSON library would produce. */
  private record Raw(String json) {}

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static final String JSON0 = "http://sharejs.org/types/JSONv0";
  private static final String[] ACTIONS = {"hs", "f", "s", "u", "bf", "bs", "bu", "op", "nf", "nt", "p", "ps", "pu",
      "pr", "pp", "qf", "qs", "x", ""};

  private final Random random;
  private final String textDoc;
  private final String jsonDoc;
  private final String run;
  private long seq = 1;
  private long pv;

  FuzzFrames(Random random, String textDoc, String jsonDoc, String run) {
    this.random = random;
    this.textDoc = textDoc;
    this.jsonDoc = jsonDoc;
    this.run = run;
  }

  Frame next() {
    int roll = random.nextInt(100);
    if (roll < 12) {
      return frame(valid());
    }
    if (roll < 85) {
      return frame(mutate(valid()));
    }
    if (roll < 95) {
      return frame(randomValue(4));
    }
    return junk();
  }

  private Frame frame(Object value) {
    String text = json(value);
    String action = value instanceof Map<?, ?> m && m.get("a") instanceof String a ? a : "?";
    return new Frame(text, null, action);
  }

  private Frame junk() {
    switch (random.nextInt(4)) {
      case 0 -> {
        String valid = json(valid());
        return new Frame(valid.substring(0, random.nextInt(valid.length())), null, "?");
      }
      case 1 -> {
        byte[] bytes = new byte[1 + random.nextInt(64)];
        random.nextBytes(bytes);
        return new Frame(null, bytes, "?");
      }
      case 2 -> {
        return new Frame("[".repeat(500 + random.nextInt(1500)), null, "?");
      }
      default -> {
        return new Frame(junkStringRaw().json(), null, "?");
      }
    }
  }

  private Map<String, Object> valid() {
    Map<String, Object> m = new LinkedHashMap<>();
    String action = ACTIONS[random.nextInt(ACTIONS.length - 2)];
    m.put("a", action);
    String doc = random.nextBoolean() ? textDoc : jsonDoc;
    String coll = "fuzz";
    switch (action) {
      case "hs" -> {
        m.put("protocol", 1);
        m.put("protocolMinor", 2);
        m.put("id", null);
      }
      case "f", "s", "u" -> {
        m.put("c", coll);
        m.put("d", random.nextInt(4) == 0 ? run + "-" + random.nextInt(50) : doc);
        if (random.nextBoolean()) {
          m.put("v", random.nextInt(20));
        }
      }
      case "bf", "bs", "bu" -> {
        m.put("c", coll);
        List<Object> ids = new ArrayList<>();
        for (int i = random.nextInt(5); i >= 0; i--) {
          ids.add(random.nextBoolean() ? doc : run + "-" + random.nextInt(50));
        }
        m.put("b", ids);
      }
      case "op" -> op(m, coll, doc);
      case "nf", "nt" -> {
        m.put("c", coll);
        m.put("d", doc);
        if (action.equals("nf")) {
          m.put("v", random.nextInt(20));
        } else {
          m.put("ts", System.currentTimeMillis() - random.nextInt(60_000));
        }
      }
      case "p" -> {
        m.put("ch", random.nextBoolean() ? "fuzz." + doc : "fz-room");
        m.put("id", "fz-" + random.nextInt(4));
        m.put("pv", pv++);
        m.put("p", random.nextBoolean() ? Map.of("index", random.nextInt(5), "length", 0) : null);
        if (m.get("ch").toString().startsWith("fuzz.")) {
          m.put("c", coll);
          m.put("d", doc);
          m.put("v", random.nextInt(10));
          m.put("t", doc.equals(textDoc) ? TEXT : JSON0);
        }
      }
      case "ps", "pu", "pr" -> {
        m.put("ch", random.nextBoolean() ? "fuzz." + doc : "fz-room");
        m.put("seq", seq++);
      }
      case "qf", "qs" -> {
        m.put("id", random.nextInt(10));
        m.put("c", coll);
        m.put("q", Map.of());
      }
      default -> { }
    }
    return m;
  }

  private void op(Map<String, Object> m, String coll, String doc) {
    m.put("c", coll);
    m.put("seq", seq++);
    int kind = random.nextInt(10);
    if (kind == 0) {
      String id = run + "-" + random.nextInt(50);
      m.put("d", id);
      m.put("v", 0);
      m.put("create", random.nextBoolean() ? Map.of("type", TEXT, "data", "fz") : Map.of("type", JSON0,
          "data", Map.of("n", 1)));
    } else if (kind == 1) {
      m.put("d", run + "-" + random.nextInt(50));
      m.put("v", 1 + random.nextInt(3));
      m.put("del", true);
    } else if (doc.equals(textDoc)) {
      m.put("d", doc);
      m.put("v", random.nextInt(30));
      m.put("op", random.nextBoolean() ? List.of(random.nextInt(3), "ab") : List.of("z"));
    } else {
      m.put("d", doc);
      m.put("v", random.nextInt(30));
      Object component = switch (random.nextInt(3)) {
        case 0 -> Map.of("p", List.of("n"), "na", random.nextInt(10) - 5);
        case 1 -> Map.of("p", List.of("list", 0), "li", "x");
        default -> Map.of("p", List.of("o", "k" + random.nextInt(5)), "oi", random.nextInt(100));
      };
      m.put("op", List.of(component));
    }
  }

  private Object mutate(Map<String, Object> m) {
    int times = 1 + random.nextInt(3);
    for (int i = 0; i < times; i++) {
      List<String> keys = new ArrayList<>(m.keySet());
      String key = keys.isEmpty() ? "a" : keys.get(random.nextInt(keys.size()));
      switch (random.nextInt(8)) {
        case 0 -> m.remove(key);
        case 1, 2 -> m.put(key, randomValue(2));
        case 3 -> m.put(key, hugeNumber());
        case 4 -> m.put(key, deep());
        case 5 -> m.put(key, junkString());
        case 6 -> m.put(random.nextBoolean() ? "v" : "seq", wrongVersion());
        default -> m.put("a", ACTIONS[random.nextInt(ACTIONS.length)]);
      }
      if (m.get("op") instanceof List<?> op && random.nextInt(3) == 0) {
        m.put("op", mutateOp(op));
      }
    }
    return m;
  }

  private Object mutateOp(List<?> op) {
    List<Object> out = new ArrayList<>(op);
    switch (random.nextInt(5)) {
      case 0 -> out.add(randomValue(2));
      case 1 -> out.add(0, null);
      case 2 -> out.add(Map.of("p", List.of(random.nextBoolean() ? "__proto__" : "constructor", "x"), "oi", 1));
      case 3 -> out.add(Map.of("p", List.of("n"), "na", new Raw(random.nextBoolean() ? "1e308" : "-1.7976931348623157e308")));
      default -> out.add(Map.of("d", hugeNumber()));
    }
    return out;
  }

  private Object randomValue(int depth) {
    int kind = random.nextInt(depth <= 0 ? 6 : 9);
    return switch (kind) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt(2000) - 1000;
      case 3 -> hugeNumber();
      case 4 -> junkString();
      case 5 -> "fz" + random.nextInt(100);
      case 6 -> {
        List<Object> l = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          l.add(randomValue(depth - 1));
        }
        yield l;
      }
      case 7 -> {
        Map<Object, Object> o = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          o.put(random.nextBoolean() ? ACTIONS[random.nextInt(ACTIONS.length)] : junkString(), randomValue(depth - 1));
        }
        yield o;
      }
      default -> deep();
    };
  }

  private Object hugeNumber() {
    String[] numbers = {"1e308", "-1e308", "1e999", "9007199254740993", "18446744073709551616", "-0", "0.5", "1e-400",
        "123456789012345678901234567890", "-9223372036854775809", "4.9e-324"};
    return new Raw(numbers[random.nextInt(numbers.length)]);
  }

  private Object wrongVersion() {
    String[] versions = {"-1", "1000000", "9007199254740992", "1.5", "\"3\"", "null", "true", "[]", "1e20"};
    return new Raw(versions[random.nextInt(versions.length)]);
  }

  private Object deep() {
    int levels = random.nextInt(4) == 0 ? 900 + random.nextInt(300) : 10 + random.nextInt(200);
    return new Raw(random.nextBoolean() ? "[".repeat(levels) + "]".repeat(levels)
        : "{\"k\":".repeat(levels) + "1" + "}".repeat(levels));
  }

  /** A string of unicode junk, as a JSON string literal (lone surrogates written as escapes). */
  private Raw junkStringRaw() {
    StringBuilder b = new StringBuilder("\"");
    for (int i = random.nextInt(30); i >= 0; i--) {
      switch (random.nextInt(7)) {
        case 0 -> b.append("\\ud800");
        case 1 -> b.append("\\udfff");
        case 2 -> b.append("\\u0000");
        case 3 -> b.appendCodePoint(0x1F600 + random.nextInt(50));
        case 4 -> b.append('\u202e');
        case 5 -> b.append("\\\"\\\\");
        default -> b.append((char) ('a' + random.nextInt(26)));
      }
    }
    if (random.nextInt(20) == 0) {
      b.append("x".repeat(20_000));
    }
    return new Raw(b.append('"').toString());
  }

  private Object junkString() {
    return junkStringRaw();
  }

  /** JSON text of a value made of maps, lists, strings, numbers, booleans, nulls and {@link Raw}. */
  static String json(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString();
  }

  private static void write(StringBuilder b, Object v) {
    if (v instanceof Raw r) {
      b.append(r.json());
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        if (e.getKey() instanceof Raw r) {
          b.append(r.json());
        } else {
          write(b, String.valueOf(e.getKey()));
        }
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(b, l.get(i));
      }
      b.append(']');
    } else if (v instanceof String s) {
      String encoded = new JsonArray().add(s).encode();
      b.append(encoded, 1, encoded.length() - 1);
    } else {
      b.append(v);
    }
  }

  static byte[] bytes(Frame f) {
    return f.bytes() != null ? f.bytes() : f.text().getBytes(StandardCharsets.UTF_8);
  }
}
