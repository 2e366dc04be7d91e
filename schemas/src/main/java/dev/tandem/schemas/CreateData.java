package dev.tandem.schemas;

import com.fasterxml.jackson.databind.JsonNode;

/** What a create op carries: the type's uri (or name) and the initial data, which may be null. */
public record CreateData(String type, JsonNode data) {

  public CreateData {
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("a create needs a type");
    }
  }
}
