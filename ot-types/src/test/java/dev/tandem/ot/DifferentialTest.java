package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.ot.json.Json0Type;
import dev.tandem.ot.testkit.NodeOracle;
import dev.tandem.ot.testkit.NodeOracle.Answer;
import dev.tandem.ot.testkit.NodeOracle.Call;
import dev.tandem.ot.testkit.Outcome;
import dev.tandem.ot.testkit.RandomJson;
import dev.tandem.ot.testkit.RandomText;
import dev.tandem.ot.text.TextOpCodec;
import dev.tandem.ot.text.TextOps;
import dev.tandem.ot.text.TextUnicodeType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same random snapshots and ops through the Java types and through the npm packages
 * ShareDB clients run ({@code ot-text-unicode} 4.0.0, {@code ot-json0} 1.1.0), in a Node child
 * process. Every result must be equal value for value; whatever npm rejects, Java rejects.
 * Java may reject more (see the codecs for what it refuses that JavaScript lets through); the
 * invalid-input tests count those cases.
 */
class DifferentialTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TextUnicodeType TEXT = TextUnicodeType.INSTANCE;
  private static final Json0Type JSON0 = Json0Type.INSTANCE;
  private static final int CASES = 2500;

  private static NodeOracle oracle;

  @BeforeAll
  static void startNode() {
    oracle = new NodeOracle();
  }

  @AfterAll
  static void stopNode() throws Exception {
    oracle.close();
  }

  /** A Java call and the same call for npm. */
  private record Case(String label, Supplier<JsonNode> java, Call npm) {}

  private static Case call(String label, String type, String fn, Supplier<JsonNode> java, JsonNode... args) {
    return new Case(label, java, new Call(type, fn, List.of(args)));
  }

  @Test
  void textUnicodeMatchesNpmOnRandomOps() {
    Random rnd = new Random(20261123L);
    RandomText gen = new RandomText(rnd);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      String s = gen.text(12);
      TextNode doc = TextNode.valueOf(s);
      JsonNode a = gen.op(s);
      JsonNode b = gen.op(s);
      String afterA = TextOps.apply(s, TextOpCodec.parse(a));
      JsonNode next = gen.op(afterA);
      JsonNode messy = gen.denormalizedOp(s);
      JsonNode invertible = gen.invertibleOp(s);
      int cursor = rnd.nextInt(s.codePointCount(0, s.length()) + 1);
      String t = "text-unicode";
      cases.add(call("apply", t, "apply", () -> TEXT.apply(doc, a), doc, a));
      cases.add(call("transform left", t, "transform", () -> TEXT.transform(a, b, Side.LEFT), a, b, txt("left")));
      cases.add(call("transform right", t, "transform", () -> TEXT.transform(a, b, Side.RIGHT), a, b, txt("right")));
      cases.add(call("compose", t, "compose", () -> TEXT.compose(a, next), a, next));
      cases.add(call("normalize", t, "normalize", () -> TEXT.normalize(messy), messy));
      cases.add(call("invert", t, "invert", () -> TEXT.invert(invertible), invertible));
      cases.add(call("invert lossy", t, "invert", () -> TEXT.invert(b), b));
      cases.add(call("transformPosition", t, "transformPosition",
          () -> IntNode.valueOf(TextOps.transformPosition(cursor, TextOpCodec.parse(a), false)), IntNode.valueOf(cursor), a));
    }
    int agreed = compare(cases, false);
    assertEquals(cases.size(), agreed);
  }

  @Test
  void json0MatchesNpmOnRandomOps() {
    Random rnd = new Random(7L);
    RandomJson[] gens = {new RandomJson(rnd, false), new RandomJson(rnd, true)};
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      RandomJson gen = gens[i % 2];
      JsonNode doc = gen.doc(3);
      JsonNode a = gen.op(doc);
      JsonNode b = gen.op(doc);
      JsonNode afterA = JSON0.apply(doc, a);
      JsonNode next = gen.op(afterA);
      String t = "json0";
      cases.add(call("apply", t, "apply", () -> JSON0.apply(doc, a), doc, a));
      cases.add(call("transform left", t, "transform", () -> JSON0.transform(a, b, Side.LEFT), a, b, txt("left")));
      cases.add(call("transform right", t, "transform", () -> JSON0.transform(a, b, Side.RIGHT), a, b, txt("right")));
      cases.add(call("compose", t, "compose", () -> JSON0.compose(a, next), a, next));
      JsonNode joined = concat(a, next);
      cases.add(call("normalize", t, "normalize", () -> JSON0.normalize(joined), joined));
      cases.add(call("invert", t, "invert", () -> JSON0.invert(a), a));
    }
    int agreed = compare(cases, false);
    assertEquals(cases.size(), agreed);
  }

  @Test
  void json0ConvergesExactlyWhereNpmDoes() {
    Random rnd = new Random(99L);
    RandomJson[] gens = {new RandomJson(rnd, false), new RandomJson(rnd, true)};
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      RandomJson gen = gens[i % 2];
      JsonNode doc = gen.doc(3);
      JsonNode a = gen.op(doc);
      JsonNode b = gen.op(doc);
      JsonNode afterA = JSON0.apply(doc, a);
      JsonNode afterB = JSON0.apply(doc, b);
      JsonNode bLeft = JSON0.transform(b, a, Side.LEFT);
      JsonNode aRight = JSON0.transform(a, b, Side.RIGHT);
      cases.add(call("tp1 via a", "json0", "apply", () -> JSON0.apply(afterA, bLeft), afterA, bLeft));
      cases.add(call("tp1 via b", "json0", "apply", () -> JSON0.apply(afterB, aRight), afterB, aRight));
    }
    assertEquals(cases.size(), compare(cases, false));
  }

  @Test
  void invalidTextOpsRejectedWhereverNpmRejectsThem() {
    List<Case> cases = new ArrayList<>();
    TextNode doc = TextNode.valueOf("héllo 😀");
    String[] ops = {
      "[-1]", "[0, \"a\"]", "[2]", "[1, 1, \"a\"]", "[\"\"]", "[{\"d\": 0}]", "[{\"d\": -2}]", "[{\"x\": 1}]",
      "[{\"d\": true}]", "[true]", "[null]", "[[1]]", "{\"d\": 1}", "\"abc\"", "7", "[1.5, \"a\"]",
      "[{\"d\": 1.5}]", "[9, {\"d\": 1}]", "[20, \"x\"]", "[7, {\"d\": 3}]", "[{\"d\": \"\"}]", "[3, \"\\ud800\"]",
      "[1, {\"d\": 1, \"e\": 2}]", "[\"a\", \"b\"]", "[{\"d\": 1}, {\"d\": 1}]"
    };
    for (String text : ops) {
      JsonNode op = parse(text);
      JsonNode fine = parse("[1, \"z\"]");
      cases.add(call("apply " + text, "text-unicode", "apply", () -> TEXT.apply(doc, op), doc, op));
      cases.add(call("transform " + text, "text-unicode", "transform", () -> TEXT.transform(op, fine, Side.LEFT),
          op, fine, txt("left")));
      cases.add(call("compose " + text, "text-unicode", "compose", () -> TEXT.compose(fine, op), fine, op));
    }
    int agreed = compare(cases, true);
    System.out.printf("text-unicode invalid inputs: %d calls, %d rejected by both or equal, %d rejected only by Java%n",
        cases.size(), agreed, cases.size() - agreed);
  }

  @Test
  void invalidJson0OpsRejectedWhereverNpmRejectsThem() {
    List<Case> cases = new ArrayList<>();
    JsonNode doc = parse("{\"list\": [1, \"two\", {\"k\": 3}], \"s\": \"héllo\", \"n\": 4, \"o\": {\"a\": null}}");
    String[] ops = {
      "[{\"p\": [\"nope\", 1], \"oi\": 1}]", "[{\"p\": [\"list\", 9], \"ld\": 1}]", "[{\"p\": [\"list\", 4], \"li\": 1}]",
      "[{\"p\": [\"s\"], \"na\": 1}]", "[{\"p\": [\"n\"], \"na\": \"1\"}]", "[{\"p\": [\"s\"], \"t\": \"rich-text\", \"o\": []}]",
      "[{\"p\": [\"s\"], \"t\": \"text-unicode\", \"o\": [9, \"x\"]}]", "[{\"p\": [\"s\", 2], \"sd\": \"zz\"}]",
      "[{\"p\": [\"s\", 99], \"si\": \"x\"}]", "[{\"oi\": 1}]", "[{\"p\": \"a\", \"oi\": 1}]", "[{\"p\": [\"o\"]}]",
      "[{\"p\": [\"o\", \"a\"], \"od\": null, \"na\": 1}]", "[{\"p\": [\"list\", 0], \"lm\": 7}]", "[{\"p\": [\"list\"], \"li\": 1}]",
      "[{\"p\": [\"n\", \"x\"], \"oi\": 1}]", "[{\"p\": [\"o\", \"zz\"], \"od\": 1}]", "{\"p\": [\"n\"], \"na\": 1}",
      "[{\"p\": [true], \"oi\": 1}]", "[{\"p\": [-1], \"li\": 1}]", "[1]", "[{\"p\": [\"o\", \"a\"], \"oi\": 1, \"extra\": 1}]",
      "[{\"p\": [\"list\", 1], \"si\": \"x\", \"sd\": \"y\"}]", "[{\"p\": [\"s\"], \"t\": \"text-unicode\"}]",
      "[{\"p\": [], \"od\": {}}]", "[{\"p\": [\"s\", 1], \"si\": \"\\udc00\"}]"
    };
    for (String text : ops) {
      JsonNode op = parse(text);
      JsonNode fine = parse("[{\"p\": [\"n\"], \"na\": 2}]");
      cases.add(call("apply " + text, "json0", "apply", () -> JSON0.apply(doc, op), doc, op));
      cases.add(call("transform " + text, "json0", "transform", () -> JSON0.transform(op, fine, Side.LEFT),
          op, fine, txt("left")));
    }
    int agreed = compare(cases, true);
    System.out.printf("json0 invalid inputs: %d calls, %d rejected by both or equal, %d rejected only by Java%n",
        cases.size(), agreed, cases.size() - agreed);
  }

  @Test
  void json0StringListIndexesBehaveAsNpm() {
    List<Case> cases = new ArrayList<>();
    JsonNode doc = parse("{\"list\": [{\"title\": \"a\", \"n\": 1}, {\"title\": \"b\", \"n\": 2}], \"m\": {\"0\": 5}}");
    String[] ops = {
      "[{\"p\": [\"list\", \"0\", \"title\"], \"oi\": \"x\"}]",
      "[{\"p\": [\"list\", \"1\", \"n\"], \"na\": 3}]",
      "[{\"p\": [\"list\", \"1\", \"title\", 1], \"si\": \"z\"}]",
      "[{\"p\": [\"list\", \"0\", \"title\"], \"t\": \"text-unicode\", \"o\": [\"q\"]}]",
      "[{\"p\": [\"m\", \"0\"], \"na\": 1}]",
    };
    String[] others = {
      "[{\"p\": [\"list\", 0], \"li\": {\"title\": \"new\"}}]",
      "[{\"p\": [\"list\", 0], \"ld\": {}}]",
      "[{\"p\": [\"list\", 1], \"li\": 7}]",
      "[{\"p\": [\"list\", 1], \"lm\": 0}]",
      "[{\"p\": [\"list\", 0, \"title\"], \"oi\": \"y\"}]",
    };
    for (String text : ops) {
      JsonNode op = parse(text);
      cases.add(call("apply " + text, "json0", "apply", () -> JSON0.apply(doc, op), doc, op));
      for (String o : others) {
        JsonNode other = parse(o);
        cases.add(call("transform left " + text + " past " + o, "json0", "transform",
            () -> JSON0.transform(op, other, Side.LEFT), op, other, txt("left")));
        cases.add(call("transform right " + text + " past " + o, "json0", "transform",
            () -> JSON0.transform(op, other, Side.RIGHT), op, other, txt("right")));
      }
    }
    assertEquals(cases.size(), compare(cases, false));
  }

  /**
   * Asks npm and Java; returns how many agree. A disagreement fails the test, except (when
   * {@code javaMayBeStricter}) Java rejecting what npm accepted.
   */
  private static int compare(List<Case> cases, boolean javaMayBeStricter) {
    List<Answer> answers = oracle.ask(cases.stream().map(Case::npm).toList());
    int agreed = 0;
    List<String> faults = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      Answer npm = answers.get(i);
      Outcome java = Outcome.of(c.java());
      if (npm.failed() && java.failed()) {
        agreed++;
      } else if (npm.failed()) {
        faults.add(c.label() + " " + c.npm().args() + ": npm rejects (" + npm.err() + ") but Java returns " + java.ok());
      } else if (java.failed()) {
        if (!javaMayBeStricter) {
          faults.add(c.label() + " " + c.npm().args() + ": Java rejects (" + java.err() + ") but npm returns " + npm.ok());
        }
      } else if (java.ok().equals(npm.ok())) {
        agreed++;
      } else {
        faults.add(c.label() + " " + c.npm().args() + ": Java " + java.ok() + " but npm " + npm.ok());
      }
    }
    if (!faults.isEmpty()) {
      fail(faults.size() + " of " + cases.size() + " calls disagree; first ones:\n  "
          + String.join("\n  ", faults.subList(0, Math.min(8, faults.size()))));
    }
    assertTrue(agreed > 0);
    return agreed;
  }

  private static JsonNode concat(JsonNode a, JsonNode b) {
    var out = NODES.arrayNode();
    out.addAll((com.fasterxml.jackson.databind.node.ArrayNode) a.deepCopy());
    out.addAll((com.fasterxml.jackson.databind.node.ArrayNode) b.deepCopy());
    return out;
  }

  private static JsonNode txt(String s) {
    return TextNode.valueOf(s);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }
}
