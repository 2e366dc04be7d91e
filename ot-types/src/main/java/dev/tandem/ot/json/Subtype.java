package dev.tandem.ot.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.Side;
import dev.tandem.ot.text.TextUnicodeType;
import java.util.Optional;

/**
 * A type embedded in a json0 document through {@code {"p":..., "t": NAME, "o": op}}. json0
 * registers {@code text-unicode} (the one ShareDB clients register with ot-json0) and
 * {@code text0} (which ot-json0 bundles, and which backs {@code si}/{@code sd}).
 */
interface Subtype {

  String name();

  JsonNode apply(JsonNode snapshot, JsonNode op);

  JsonNode transform(JsonNode op, JsonNode other, Side side);

  JsonNode compose(JsonNode first, JsonNode second);

  JsonNode invert(JsonNode op);

  /** Whether a transformed op is empty, so the component it sits in can go. */
  boolean isEmpty(JsonNode op);

  static Optional<Subtype> byName(String name) {
    return switch (name) {
      case "text-unicode" -> Optional.of(TextUnicodeSubtype.INSTANCE);
      case "text0" -> Optional.of(Text0.INSTANCE);
      default -> Optional.empty();
    };
  }

  /** text-unicode as a json0 subtype. */
  final class TextUnicodeSubtype implements Subtype {
    static final TextUnicodeSubtype INSTANCE = new TextUnicodeSubtype();
    private static final TextUnicodeType TYPE = TextUnicodeType.INSTANCE;

    @Override
    public String name() {
      return "text-unicode";
    }

    @Override
    public JsonNode apply(JsonNode snapshot, JsonNode op) {
      return TYPE.apply(snapshot, op);
    }

    @Override
    public JsonNode transform(JsonNode op, JsonNode other, Side side) {
      return TYPE.transform(op, other, side);
    }

    @Override
    public JsonNode compose(JsonNode first, JsonNode second) {
      return TYPE.compose(first, second);
    }

    @Override
    public JsonNode invert(JsonNode op) {
      return TYPE.invert(op);
    }

    @Override
    public boolean isEmpty(JsonNode op) {
      return op.isArray() && op.isEmpty();
    }
  }
}
