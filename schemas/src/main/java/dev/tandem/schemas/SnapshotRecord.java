package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record of {@code tandem.snapshots} (compacted), key {@code collection/id}: a document's
 * content at version {@code v}, with where in the event log it stands.
 *
 * @param type the type uri; null when the document was deleted (or never created)
 * @param offset the offset in {@code tandem.ops.committed} of the last record this state includes
 *     (the op that made version v, or a later change of the edit locks)
 * @param locks the edit locks held at that point; absent when there are none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotRecord(int schema, String c, String d, long v, String type, JsonNode data, long offset, long ts,
    JsonNode locks) {

  public SnapshotRecord {
    Records.require(schema == 1, "schema must be 1");
    new DocKey(c, d);
    Records.require(v >= 0, "v must be >= 0");
  }

  public SnapshotRecord(int schema, String c, String d, long v, String type, JsonNode data, long offset, long ts) {
    this(schema, c, d, v, type, data, offset, ts, null);
  }

  public DocKey key() {
    return new DocKey(c, d);
  }
}
