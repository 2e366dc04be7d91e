package dev.tandem.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas under {@code schemas/} on the class path (for example
 * {@code signaling/join.json}), and validation against them.
 */
public final class SchemaCatalog {

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();

  private SchemaCatalog() {}

  /** The schema at {@code schemas/NAME}; fails when there is none. */
  public static JsonSchema get(String name) {
    return LOADED.computeIfAbsent(name, n -> {
      try (InputStream in = SchemaCatalog.class.getResourceAsStream("/schemas/" + n)) {
        if (in == null) {
          throw new IllegalArgumentException("no schema " + n);
        }
        return FACTORY.getSchema(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** What is wrong with {@code value} by schema {@code name}; empty when it is valid. */
  public static List<String> validate(String name, JsonNode value) {
    return get(name).validate(value).stream().map(ValidationMessage::getMessage).sorted().toList();
  }
}
