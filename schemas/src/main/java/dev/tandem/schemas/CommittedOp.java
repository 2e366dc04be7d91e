package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record of {@code tandem.ops.committed}, the event log, key {@code collection/id}. Per
 * document, {@code v} runs 0, 1, 2, ... without a gap: the op with {@code v = n} turns
 * version n into version n + 1 (ShareDB's numbering), so committed versions are 1, 2, 3, ...
 *
 * @param schema record format version, 1
 * @param kind {@code create}, {@code op} or {@code del}
 * @param op the op as transformed and applied (for {@code op})
 * @param create the type uri and initial data (for {@code create})
 * @param ts commit time, epoch milliseconds
 * @param user who sent it, when known
 * @param lock for {@code lock}: a change of the document's edit locks, which leaves the version
 *     as it is ({@code v} is the version it applies at, and the next op has the same v):
 *     {@code {"action", "id", "request", "gateway", "locks": [the whole table after it]}}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommittedOp(int schema, String kind, String c, String d, long v, String src, long seq, JsonNode op,
    CreateData create, Boolean del, long ts, String user, JsonNode lock) {

  public static final String LOCK = "lock";

  public CommittedOp {
    Records.require(schema == 1, "schema must be 1");
    new DocKey(c, d);
    Records.require(v >= 0, "v must be >= 0");
    Records.require(src != null, "src is missing");
    switch (kind == null ? "" : kind) {
      case "op" -> Records.require(op != null, "an op record needs op");
      case "create" -> Records.require(create != null, "a create record needs create");
      case "del" -> Records.require(Boolean.TRUE.equals(del), "a delete record needs del: true");
      case LOCK -> Records.require(lock != null && lock.path("locks").isArray(), "a lock record needs lock.locks");
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  /** An op, create or delete. */
  public CommittedOp(int schema, String kind, String c, String d, long v, String src, long seq, JsonNode op,
      CreateData create, Boolean del, long ts, String user) {
    this(schema, kind, c, d, v, src, seq, op, create, del, ts, user, null);
  }

  /** Whether this record changes the content and the version (not only the edit locks). */
  public boolean versioned() {
    return !LOCK.equals(kind);
  }

  public DocKey key() {
    return new DocKey(c, d);
  }
}
