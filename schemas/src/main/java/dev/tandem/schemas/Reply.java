package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record of {@code tandem.ops.replies}, key {@code collection/id}: ot-service's answer to a
 * gateway for something that commits nothing. Every gateway reads them and keeps its own.
 *
 * @param kind {@code reject} (the op is refused: {@code error}), {@code duplicate} (the op was
 *     committed before, at {@code v}), or {@code snapshot} (the document's state for a load)
 * @param gateway the gateway instance the answer is for
 * @param request for {@code snapshot}: the load request's id
 * @param v for {@code duplicate}: the version the op was committed at; for {@code snapshot}:
 *     the document's version
 * @param type for {@code snapshot}: the type uri, null when the document does not exist
 * @param data for {@code snapshot}: the document's content
 * @param locks for {@code snapshot}: the edit locks held; for a refused lock: the lock in the way
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reply(int schema, String kind, String gateway, String c, String d, String src, Long seq, String request,
    Long v, String type, JsonNode data, OpError error, long ts, JsonNode locks) {

  public static final String REJECT = "reject";
  public static final String DUPLICATE = "duplicate";
  public static final String SNAPSHOT = "snapshot";

  public Reply {
    Records.require(schema == 1, "schema must be 1");
    new DocKey(c, d);
    Records.require(gateway != null, "gateway is missing");
    switch (kind == null ? "" : kind) {
      case REJECT -> Records.require(error != null, "a reject needs an error");
      case DUPLICATE -> Records.require(v != null, "a duplicate needs v");
      case SNAPSHOT -> Records.require(v != null && request != null, "a snapshot reply needs v and request");
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  public Reply(int schema, String kind, String gateway, String c, String d, String src, Long seq, String request,
      Long v, String type, JsonNode data, OpError error, long ts) {
    this(schema, kind, gateway, c, d, src, seq, request, v, type, data, error, ts, null);
  }

  public static Reply reject(SubmittedOp op, OpError error) {
    return reject(op, error, null);
  }

  /** A refusal; for a lock, with the lock in the way. */
  public static Reply reject(SubmittedOp op, OpError error, JsonNode locks) {
    return new Reply(1, REJECT, op.gateway(), op.c(), op.d(), op.src(), op.seq(), op.request(), null, null, null, error,
        System.currentTimeMillis(), locks);
  }

  public static Reply duplicate(SubmittedOp op, long version) {
    return new Reply(1, DUPLICATE, op.gateway(), op.c(), op.d(), op.src(), op.seq(), null, version, null, null, null,
        System.currentTimeMillis());
  }

  public static Reply snapshot(SubmittedOp load, long version, String type, JsonNode data, JsonNode locks) {
    return new Reply(1, SNAPSHOT, load.gateway(), load.c(), load.d(), null, null, load.request(), version, type, data,
        null, System.currentTimeMillis(), locks);
  }

  public DocKey key() {
    return new DocKey(c, d);
  }
}
