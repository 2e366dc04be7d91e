package dev.tandem.ot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.text.TextUnicodeType;
import java.util.Random;

/** Random text and valid text-unicode ops, astral characters included, from a seed. */
public final class RandomText {

  private static final String[] ALPHABET = {
    "a", "b", "c", " ", "\n", "é", "中", "😀", "𝄞", "👍🏽", "x", "y"
  };
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Random rnd;

  public RandomText(Random rnd) {
    this.rnd = rnd;
  }

  /** Text of up to {@code max} alphabet units (an alphabet unit is one or two code points). */
  public String text(int max) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }

  /** Non-empty text. */
  public String nonEmptyText(int max) {
    String s = text(max);
    return s.isEmpty() ? ALPHABET[rnd.nextInt(ALPHABET.length)] : s;
  }

  /** A normalized op valid on {@code doc}; deletes record their text about half the time. */
  public ArrayNode op(String doc) {
    return (ArrayNode) TextUnicodeType.INSTANCE.normalize(rawOp(doc, rnd.nextBoolean(), false));
  }

  /** A normalized op valid on {@code doc} whose deletes all record their text. */
  public ArrayNode invertibleOp(String doc) {
    return (ArrayNode) TextUnicodeType.INSTANCE.normalize(rawOp(doc, true, false));
  }

  /** A valid op in a denormalized spelling: zero retains, split inserts, trailing retains. */
  public ArrayNode denormalizedOp(String doc) {
    return rawOp(doc, rnd.nextBoolean(), true);
  }

  private ArrayNode rawOp(String doc, boolean deleteText, boolean messy) {
    int len = CodePoints.count(doc);
    ArrayNode op = NODES.arrayNode();
    int pos = 0;
    int parts = 1 + rnd.nextInt(4);
    for (int k = 0; k < parts; k++) {
      int kind = rnd.nextInt(3);
      if (kind == 0 && pos < len) {
        int n = 1 + rnd.nextInt(len - pos);
        op.add(n);
        pos += n;
      } else if (kind == 1 || pos >= len) {
        op.add(nonEmptyText(4));
      } else {
        int n = 1 + rnd.nextInt(Math.min(5, len - pos));
        if (deleteText) {
          op.addObject().put("d", CodePoints.slice(doc, pos, pos + n));
        } else {
          op.addObject().put("d", n);
        }
        pos += n;
      }
      if (messy && rnd.nextInt(4) == 0) {
        pos += mess(op, len - pos);
      }
    }
    return op;
  }

  /** Appends an empty component or an extra retain; returns how far it moved. */
  private int mess(ArrayNode op, int remaining) {
    switch (rnd.nextInt(3)) {
      case 0 -> op.add(0);
      case 1 -> op.addObject().put("d", 0);
      default -> {
        if (remaining > 0) {
          int n = 1 + rnd.nextInt(remaining);
          op.add(n);
          return n;
        }
      }
    }
    return 0;
  }

  /** A presence selection inside a document of {@code len} code points. */
  public JsonNode selection(int len) {
    int index = rnd.nextInt(len + 1);
    return NODES.objectNode().put("index", index).put("length", rnd.nextInt(len - index + 1));
  }

  public Random random() {
    return rnd;
  }
}
