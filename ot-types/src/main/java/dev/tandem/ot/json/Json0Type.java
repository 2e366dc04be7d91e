package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.tandem.ot.JsonMeasure;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.ot.Side;

/**
 * The {@code json0} type (npm {@code ot-json0} 1.x, with {@code text-unicode} registered as a
 * subtype as ShareDB clients do): any JSON value, edited by components with a path. See
 * {@link Json0Codec} for the op form, {@link Json0Apply} for what apply checks and
 * {@link Json0Presence} for presence.
 */
public final class Json0Type implements OtType {

  /** The one instance. */
  public static final Json0Type INSTANCE = new Json0Type();

  private Json0Type() {}

  @Override
  public String name() {
    return "json0";
  }

  @Override
  public String uri() {
    return "http://sharejs.org/types/JSONv0";
  }

  @Override
  public JsonNode create(JsonNode initialData) {
    if (initialData == null || initialData.isMissingNode()) {
      return NullNode.instance;
    }
    if (JsonMeasure.hasNonFinite(initialData)) {
      throw new OtException("json0 initial data holds a number that is not finite");
    }
    return initialData.deepCopy();
  }

  @Override
  public void checkOp(JsonNode op) {
    Json0Codec.parse(op);
  }

  @Override
  public int nestingDepth(JsonNode op) {
    int max = 0;
    for (JsonNode c : op) {
      JsonNode p = c.get("p");
      int path = p == null ? 0 : p.size();
      max = Math.max(max, path + Math.max(JsonMeasure.depth(c.get("li")), JsonMeasure.depth(c.get("oi"))));
    }
    return max;
  }

  @Override
  public JsonNode apply(JsonNode snapshot, JsonNode op) {
    Json0Apply.Root root = new Json0Apply.Root(snapshot(snapshot).deepCopy());
    Json0Apply.apply(root, Json0Codec.parse(op));
    return root.value;
  }

  @Override
  public JsonNode transform(JsonNode op, JsonNode other, Side side) {
    return Json0Codec.toJson(Json0Transform.INSTANCE.transform(Json0Codec.parse(op), Json0Codec.parse(other), side));
  }

  @Override
  public JsonNode compose(JsonNode first, JsonNode second) {
    return Json0Codec.toJson(Json0Compose.compose(Json0Codec.parse(first), Json0Codec.parse(second)));
  }

  @Override
  public JsonNode normalize(JsonNode op) {
    return Json0Codec.toJson(Json0Compose.normalize(Json0Codec.parseLenient(op)));
  }

  @Override
  public JsonNode invert(JsonNode op) {
    return Json0Codec.toJson(Json0Compose.invert(Json0Codec.parse(op)));
  }

  @Override
  public boolean isNoop(JsonNode op) {
    return Json0Codec.parse(op).isEmpty();
  }

  @Override
  public JsonNode transformPresence(JsonNode presence, JsonNode op, boolean ownOp) {
    return Json0Presence.transform(presence, Json0Codec.parse(op), ownOp);
  }

  @Override
  public OtDocument open(JsonNode snapshot) {
    return new Json0Document(new Json0Apply.Root(snapshot(snapshot).deepCopy()));
  }

  private static JsonNode snapshot(JsonNode snapshot) {
    if (snapshot == null || snapshot.isMissingNode()) {
      throw new OtException("json0 snapshot is missing");
    }
    return snapshot;
  }

  /** A json0 document applied in place. */
  private record Json0Document(Json0Apply.Root root) implements OtDocument {
    @Override
    public OtType type() {
      return INSTANCE;
    }

    @Override
    public void apply(JsonNode op) {
      Json0Apply.apply(root, Json0Codec.parse(op));
    }

    @Override
    public JsonNode snapshot() {
      return root.value.deepCopy();
    }
  }
}
