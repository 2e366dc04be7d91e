package dev.tandem.ot;

import dev.tandem.ot.json.Json0Type;
import dev.tandem.ot.text.TextUnicodeType;
import java.util.List;
import java.util.Optional;

/** The registry of OT types the server understands, looked up by name or by uri. */
public final class OtTypes {

  private static final List<OtType> TYPES = List.of(TextUnicodeType.INSTANCE, Json0Type.INSTANCE);

  private OtTypes() {}

  /** Every registered type. */
  public static List<OtType> all() {
    return TYPES;
  }

  /** The type with this short name ({@code "text-unicode"}, {@code "json0"}). */
  public static Optional<OtType> byName(String name) {
    return TYPES.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The type with this uri ({@code "http://sharejs.org/types/JSONv0"}, ...). */
  public static Optional<OtType> byUri(String uri) {
    return TYPES.stream().filter(t -> t.uri().equals(uri)).findFirst();
  }

  /** The type named by a ShareDB create op, which may carry either the name or the uri. */
  public static Optional<OtType> byNameOrUri(String nameOrUri) {
    return byUri(nameOrUri).or(() -> byName(nameOrUri));
  }
}
