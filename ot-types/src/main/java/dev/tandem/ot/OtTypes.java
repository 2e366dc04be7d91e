package dev.tandem.ot;

import dev.tandem.ot.json.Json0Type;
import dev.tandem.ot.text.TextUnicodeType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The registry of OT types the server understands, looked up by name or by uri. */
public final class OtTypes {

  private static final List<OtType> TYPES = List.of(TextUnicodeType.INSTANCE, Json0Type.INSTANCE);
  /** Looked up for every presence value and document load: a map, not a scan. */
  private static final Map<String, OtType> BY_NAME = TYPES.stream().collect(Collectors.toUnmodifiableMap(OtType::name, t -> t));
  private static final Map<String, OtType> BY_URI = TYPES.stream().collect(Collectors.toUnmodifiableMap(OtType::uri, t -> t));

  private OtTypes() {}

  /** Every registered type. */
  public static List<OtType> all() {
    return TYPES;
  }

  /** The type with this short name ({@code "text-unicode"}, {@code "json0"}). */
  public static Optional<OtType> byName(String name) {
    return Optional.ofNullable(name == null ? null : BY_NAME.get(name));
  }

  /** The type with this uri ({@code "http://sharejs.org/types/JSONv0"}, ...). */
  public static Optional<OtType> byUri(String uri) {
    return Optional.ofNullable(uri == null ? null : BY_URI.get(uri));
  }

  /** The type named by a ShareDB create op, which may carry either the name or the uri. */
  public static Optional<OtType> byNameOrUri(String nameOrUri) {
    return byUri(nameOrUri).or(() -> byName(nameOrUri));
  }
}
