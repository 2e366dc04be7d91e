package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record of {@code tandem.ops.submitted}, key {@code collection/id}: an op a client sent, as
 * the gateway took it in, or a gateway's request for a document's current state.
 *
 * @param schema record format version, 1
 * @param kind {@code op}, {@code create}, {@code del} or {@code load}
 * @param v the version the op is based on; null means "the latest" (ShareDB allows it)
 * @param gateway the gateway instance that waits for the answer
 * @param request for {@code load}: the gateway's request id
 * @param user who sent it, when the gateway knows
 * @param ts when the gateway took it in, epoch milliseconds
 * @param lock for {@code lock}: {@code {"action": "lock"|"unlock"|"release", "id", "p" | "r", "ttl",
 *     "name"}} (see {@code EditLocks}); answered by a {@code lock} record in the event log or a
 *     reject naming {@code request}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubmittedOp(int schema, String kind, String c, String d, String src, Long seq, Long v, JsonNode op,
    CreateData create, Boolean del, String gateway, String request, String user, long ts, JsonNode lock) {

  public static final String LOAD = "load";
  public static final String LOCK = "lock";

  public SubmittedOp {
    Records.require(schema == 1, "schema must be 1");
    Records.require(kind != null, "kind is missing");
    new DocKey(c, d);
    Records.require(gateway != null && !gateway.isEmpty(), "gateway is missing");
    switch (kind) {
      case "op" -> Records.require(op != null && src != null && seq != null, "an op needs op, src and seq");
      case "create" -> Records.require(create != null && src != null && seq != null, "a create needs create, src, seq");
      case "del" -> Records.require(src != null && seq != null, "a delete needs src and seq");
      case LOAD -> Records.require(request != null, "a load needs a request id");
      case LOCK -> Records.require(lock != null && lock.isObject() && src != null && request != null,
          "a lock request needs lock, src and a request id");
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
    Records.require(v == null || v >= 0, "v must be >= 0");
  }

  /** Any record but a lock request. */
  public SubmittedOp(int schema, String kind, String c, String d, String src, Long seq, Long v, JsonNode op,
      CreateData create, Boolean del, String gateway, String request, String user, long ts) {
    this(schema, kind, c, d, src, seq, v, op, create, del, gateway, request, user, ts, null);
  }

  public DocKey key() {
    return new DocKey(c, d);
  }

  /** A request for the document's state, answered with a snapshot reply. */
  public static SubmittedOp load(DocKey key, String gateway, String request) {
    return new SubmittedOp(1, LOAD, key.collection(), key.id(), null, null, null, null, null, null, gateway, request, null,
        System.currentTimeMillis());
  }
}
