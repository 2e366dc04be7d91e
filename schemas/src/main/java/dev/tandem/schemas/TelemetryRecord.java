package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record of {@code tandem.telemetry}, key: the room. A client's call-quality report
 * ({@code schemas/signaling/stats.json} without its type and room), stamped with the room, the
 * reporting peer, the token's user and the signaling instance that took it.
 *
 * @param ts when the server took it, epoch milliseconds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TelemetryRecord(int schema, String kind, String room, String peer, String user, String instance, long ts,
    JsonNode stats) {

  public static final String STATS = "stats";

  public TelemetryRecord {
    Records.require(schema == 1, "schema must be 1");
    Records.require(STATS.equals(kind), "kind must be stats");
    Records.require(room != null && !room.isEmpty(), "room is missing");
    Records.require(peer != null && !peer.isEmpty(), "peer is missing");
    Records.require(instance != null, "instance is missing");
    Records.require(stats != null && stats.isObject(), "stats must be an object");
  }
}
