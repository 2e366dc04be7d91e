package dev.tandem.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A record of {@code tandem.signals}, key: the room (heartbeats: {@code __heartbeat}). How
 * signaling instances tell each other about their peers and hand each other messages.
 *
 * @param kind {@code join} / {@code leave} (peer {@code peerId} of {@code instance} entered or
 *     left {@code room}), {@code signal} (from {@code from} to {@code to}, a peer of
 *     {@code instance}), {@code broadcast} (from {@code from}, sent by {@code instance}),
 *     {@code sync} ({@code instance} asks the others for their peers in {@code room}),
 *     {@code members} ({@code instance}'s peers in {@code room}, for request {@code request}),
 *     {@code heartbeat} ({@code instance} is alive)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SignalRecord(int schema, String kind, String instance, String room, String peerId, JsonNode meta,
    String from, String to, JsonNode data, String request, List<Member> peers, long ts) {

  public static final String JOIN = "join";
  public static final String LEAVE = "leave";
  public static final String SIGNAL = "signal";
  public static final String BROADCAST = "broadcast";
  public static final String SYNC = "sync";
  public static final String MEMBERS = "members";
  public static final String HEARTBEAT = "heartbeat";

  /** A peer as others see it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Member(String peerId, JsonNode meta) {
    public Member {
      Records.require(peerId != null && !peerId.isEmpty(), "a member needs its peerId");
    }
  }

  public SignalRecord {
    Records.require(schema == 1, "schema must be 1");
    Records.require(instance != null && !instance.isEmpty(), "instance is missing");
    switch (kind == null ? "" : kind) {
      case JOIN, LEAVE -> Records.require(room != null && peerId != null, kind + " needs room and peerId");
      case SIGNAL -> Records.require(room != null && from != null && to != null && data != null,
          "a signal needs room, from, to and data");
      case BROADCAST -> Records.require(room != null && from != null && data != null, "a broadcast needs room, from, data");
      case SYNC -> Records.require(room != null && request != null, "a sync needs room and request");
      case MEMBERS -> Records.require(room != null && request != null && peers != null, "members needs room, request, peers");
      case HEARTBEAT -> { }
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  private static SignalRecord make(String kind, String instance, String room, String peerId, JsonNode meta, String from,
      String to, JsonNode data, String request, List<Member> peers) {
    return new SignalRecord(1, kind, instance, room, peerId, meta, from, to, data, request, peers, System.currentTimeMillis());
  }

  public static SignalRecord join(String instance, String room, String peerId, JsonNode meta) {
    return make(JOIN, instance, room, peerId, meta, null, null, null, null, null);
  }

  public static SignalRecord leave(String instance, String room, String peerId) {
    return make(LEAVE, instance, room, peerId, null, null, null, null, null, null);
  }

  /** A signal for peer {@code to}, held by {@code targetInstance}. */
  public static SignalRecord signal(String targetInstance, String room, String from, String to, JsonNode data) {
    return make(SIGNAL, targetInstance, room, null, null, from, to, data, null, null);
  }

  public static SignalRecord broadcast(String instance, String room, String from, JsonNode data) {
    return make(BROADCAST, instance, room, null, null, from, null, data, null, null);
  }

  public static SignalRecord sync(String instance, String room, String request) {
    return make(SYNC, instance, room, null, null, null, null, null, request, null);
  }

  public static SignalRecord members(String instance, String room, String request, List<Member> peers) {
    return make(MEMBERS, instance, room, null, null, null, null, null, request, List.copyOf(peers));
  }

  public static SignalRecord heartbeat(String instance) {
    return make(HEARTBEAT, instance, null, null, null, null, null, null, null, null);
  }
}
