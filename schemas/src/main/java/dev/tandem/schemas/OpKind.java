package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonValue;

/** What an op does to its document. */
public enum OpKind {
  CREATE("create"),
  EDIT("op"),
  DELETE("del");

  private final String wire;

  OpKind(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }
}
