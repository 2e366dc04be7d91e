package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A record of {@code tandem.presence}: who is where in a presence channel (ShareDB's channel
 * name; for a document {@code collection.id}). Gateways and presence-service both write and read
 * it; the key is the channel, except for heartbeats, which go to every partition.
 *
 * @param kind {@code update} (a client's presence value; {@code p} null when it left),
 *     {@code heartbeat} (gateway {@code gateway} is alive), {@code sync} (gateway
 *     {@code gateway} asks for everyone present in {@code ch}), {@code state} (presence-service's
 *     answer: {@code entries}), {@code expire} (presence-service removed {@code entries} of a
 *     gateway that stopped sending heartbeats), or {@code resync} (presence-service took over
 *     {@code partition} and asks gateways to publish their clients' presence in it again), or
 *     {@code ask} (gateway {@code gateway} holds presence of {@code ch} too old to bring up to date:
 *     the gateways of those clients publish it again, current)
 * @param gateway the gateway the record comes from or is for
 * @param entries for {@code state} and {@code expire}: the presences concerned
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PresenceRecord(int schema, String kind, String gateway, String ch, Integer partition,
    Entry update, List<Entry> entries, long ts) {

  public static final String UPDATE = "update";
  public static final String HEARTBEAT = "heartbeat";
  public static final String SYNC = "sync";
  public static final String STATE = "state";
  public static final String EXPIRE = "expire";
  public static final String RESYNC = "resync";
  public static final String ASK = "ask";

  /**
   * One client's presence in a channel, as ShareDB's {@code p} message carries it.
   *
   * @param gateway the gateway holding the client's connection
   * @param id the presence id (one client may have several)
   * @param src the client's connection id, so ops can be told own from others'
   * @param p the value; null means the presence is gone
   * @param pv the presence version, increasing per id
   * @param c collection, for document presence
   * @param d document id, for document presence
   * @param v the document version the value refers to
   * @param t the document's type uri
   * @param user who published it, as the gateway admitted the connection (its token's {@code sub}),
   *     never what the client says; null only in records written before it was recorded
   * @param name that user's {@code name} claim, when the token has one
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(String gateway, String id, String src, JsonNode p, long pv, String c, String d, Long v, String t,
      String user, String name) {
    public Entry {
      Records.require(gateway != null && !gateway.isEmpty(), "an entry needs its gateway");
      Records.require(id != null && !id.isEmpty(), "an entry needs a presence id");
      Records.require(src != null, "an entry needs src");
      Records.require(pv >= 0, "pv must not be negative");
      Records.require((c == null) == (d == null), "c and d go together");
    }

    /** Whether the presence is gone. */
    public boolean gone() {
      return p == null || p.isNull();
    }

    public Entry withValue(JsonNode value, Long version) {
      return new Entry(gateway, id, src, value, pv, c, d, version, t, user, name);
    }
  }

  public PresenceRecord {
    Records.require(schema == 1, "schema must be 1");
    Records.require(gateway != null && !gateway.isEmpty(), "gateway is missing");
    switch (kind == null ? "" : kind) {
      case UPDATE -> Records.require(ch != null && update != null, "an update needs ch and update");
      case HEARTBEAT -> { }
      case SYNC, ASK -> Records.require(ch != null, kind + " needs ch");
      case STATE, EXPIRE -> Records.require(ch != null && entries != null, kind + " needs ch and entries");
      case RESYNC -> Records.require(partition != null, "a resync needs partition");
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  public static PresenceRecord update(String ch, Entry entry) {
    return new PresenceRecord(1, UPDATE, entry.gateway(), ch, null, entry, null, System.currentTimeMillis());
  }

  public static PresenceRecord heartbeat(String gateway) {
    return new PresenceRecord(1, HEARTBEAT, gateway, null, null, null, null, System.currentTimeMillis());
  }

  public static PresenceRecord sync(String gateway, String ch) {
    return new PresenceRecord(1, SYNC, gateway, ch, null, null, null, System.currentTimeMillis());
  }

  public static PresenceRecord ask(String gateway, String ch) {
    return new PresenceRecord(1, ASK, gateway, ch, null, null, null, System.currentTimeMillis());
  }

  public static PresenceRecord state(String forGateway, String ch, List<Entry> entries) {
    return new PresenceRecord(1, STATE, forGateway, ch, null, null, List.copyOf(entries), System.currentTimeMillis());
  }

  public static PresenceRecord expire(String deadGateway, String ch, List<Entry> entries) {
    return new PresenceRecord(1, EXPIRE, deadGateway, ch, null, null, List.copyOf(entries), System.currentTimeMillis());
  }

  public static PresenceRecord resync(String service, int partition) {
    return new PresenceRecord(1, RESYNC, service, null, partition, null, null, System.currentTimeMillis());
  }
}
