package dev.tandem.ot.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.ot.Side;

/**
 * The {@code text-unicode} type (npm {@code ot-text-unicode} 4.x): plain text addressed in
 * Unicode code points. A snapshot is a JSON string.
 *
 * <p>Presence is a selection {@code {"index": n, "length": m}} in code points, the shape
 * ShareDB's rich-text type uses; both ends move as {@link TextOps#transformPosition} moves
 * them, and any other fields of the value (a name, a colour) are kept.
 */
public final class TextUnicodeType implements OtType {

  /** The one instance. */
  public static final TextUnicodeType INSTANCE = new TextUnicodeType();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TextUnicodeType() {}

  @Override
  public String name() {
    return "text-unicode";
  }

  @Override
  public String uri() {
    return "http://sharejs.org/types/text-unicode";
  }

  @Override
  public JsonNode create(JsonNode initialData) {
    if (initialData == null || initialData.isNull() || initialData.isMissingNode()) {
      return TextNode.valueOf("");
    }
    return TextNode.valueOf(text(initialData, "initial data"));
  }

  @Override
  public void checkOp(JsonNode op) {
    TextOpCodec.parse(op);
  }

  @Override
  public int nestingDepth(JsonNode op) {
    return 0;
  }

  @Override
  public JsonNode apply(JsonNode snapshot, JsonNode op) {
    return TextNode.valueOf(TextOps.apply(text(snapshot, "snapshot"), TextOpCodec.parse(op)));
  }

  @Override
  public JsonNode transform(JsonNode op, JsonNode other, Side side) {
    return TextOpCodec.toJson(TextOps.transform(TextOpCodec.parse(op), TextOpCodec.parse(other), side));
  }

  @Override
  public JsonNode compose(JsonNode first, JsonNode second) {
    return TextOpCodec.toJson(TextOps.compose(TextOpCodec.parse(first), TextOpCodec.parse(second)));
  }

  @Override
  public JsonNode normalize(JsonNode op) {
    return TextOpCodec.toJson(TextOpCodec.parseLenient(op));
  }

  @Override
  public JsonNode invert(JsonNode op) {
    return TextOpCodec.toJson(TextOps.invert(TextOpCodec.parse(op)));
  }

  @Override
  public boolean isNoop(JsonNode op) {
    return TextOpCodec.parse(op).isNoop();
  }

  @Override
  public JsonNode transformPresence(JsonNode presence, JsonNode op, boolean ownOp) {
    if (presence == null || presence.isNull() || presence.isMissingNode()) {
      return NullNode.instance;
    }
    Selection sel = Selection.of(presence);
    TextOp parsed = TextOpCodec.parse(op);
    int start = TextOps.transformPosition(sel.index(), parsed, ownOp);
    int end = TextOps.transformPosition(sel.index() + sel.length(), parsed, ownOp);
    ObjectNode out = ((ObjectNode) presence).deepCopy();
    out.put("index", start);
    out.put("length", end - start);
    return out;
  }

  @Override
  public OtDocument open(JsonNode snapshot) {
    return new TextDocument(text(snapshot, "snapshot"));
  }

  static String text(JsonNode node, String what) {
    if (node == null || !node.isTextual()) {
      throw new OtException("text-unicode " + what + " must be a string, got " + OtException.describe(node));
    }
    String s = node.textValue();
    if (CodePoints.countWellFormed(s) < 0) {
      throw new OtException("text-unicode " + what + " holds an unpaired UTF-16 surrogate");
    }
    return s;
  }

  /** A text-unicode presence value: a selection from {@code index} over {@code length} code points. */
  record Selection(int index, int length) {
    static Selection of(JsonNode presence) {
      if (!presence.isObject()) {
        throw new OtException("text-unicode presence must be {\"index\": n, \"length\": m} or null, got "
            + OtException.describe(presence));
      }
      int index = field(presence, "index");
      int length = presence.has("length") ? field(presence, "length") : 0;
      if ((long) index + length > Integer.MAX_VALUE) {
        throw new OtException("text-unicode presence range is too large");
      }
      return new Selection(index, length);
    }

    private static int field(JsonNode presence, String name) {
      JsonNode v = presence.get(name);
      if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 0) {
        throw new OtException("text-unicode presence needs \"" + name + "\" as a whole number >= 0, got "
            + OtException.describe(v));
      }
      return v.asInt();
    }
  }

  /** A text document in a rope. */
  private static final class TextDocument implements OtDocument {
    private final TextRope rope;

    TextDocument(String text) {
      rope = new TextRope(text);
    }

    @Override
    public OtType type() {
      return INSTANCE;
    }

    @Override
    public void apply(JsonNode op) {
      rope.apply(TextOpCodec.parse(op));
    }

    @Override
    public JsonNode snapshot() {
      return TextNode.valueOf(rope.toString());
    }
  }
}
