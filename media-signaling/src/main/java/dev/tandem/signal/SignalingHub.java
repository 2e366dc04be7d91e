package dev.tandem.signal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.access.SessionToken;
import dev.tandem.schemas.SignalRecord;
import dev.tandem.schemas.SignalRecord.Member;
import dev.tandem.signal.sfu.SfuConfig;
import dev.tandem.signal.sfu.SfuRooms;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Rooms as one signaling instance serves them: its own peers, and a mirror of the peers other
 * instances hold in the same rooms (learnt through {@code tandem.signals}: a {@code sync} when a
 * room gets its first local peer, then every {@code join} and {@code leave}). Relays signals and
 * broadcasts untouched, locally or through Kafka to the instance holding the target. Keeps a
 * dropped peer's place for the resume grace period. Confined to one event loop.
 */
public final class SignalingHub {

  static final String BAD_JSON = "BAD_JSON";
  static final String BAD_MESSAGE = "BAD_MESSAGE";
  static final String UNKNOWN_TYPE = "UNKNOWN_TYPE";
  static final String TOO_LARGE = "TOO_LARGE";
  static final String RATE_LIMITED = "RATE_LIMITED";
  static final String ROOM_FULL = "ROOM_FULL";
  static final String NOT_IN_ROOM = "NOT_IN_ROOM";
  static final String ALREADY_JOINED = "ALREADY_JOINED";
  static final String PEER_NOT_FOUND = "PEER_NOT_FOUND";
  static final String BAD_TOKEN = "BAD_TOKEN";
  /** The connection's token does not grant the room (or, for TURN, any room). */
  static final String FORBIDDEN = "FORBIDDEN";
  /** A fresh token ({@code auth}) that was refused: the old one stays until it expires. */
  static final String UNAUTHORIZED = "UNAUTHORIZED";
  /** An SFU message (publish, subscribe, answer, candidate) in a room that is a mesh call. */
  static final String NOT_SFU = "NOT_SFU";
  /** More rooms than one connection may be in at once. */
  static final String TOO_MANY_ROOMS = "TOO_MANY_ROOMS";
  /** Rooms per connection: a tab is in one call; a few more leave room for a lobby and a side room. */
  static final int MAX_ROOMS_PER_CONNECTION = 8;
  /** A peer's {@code meta} (a name, a colour, flags) as JSON text; what every peer of the room receives. */
  static final int MAX_META_CHARS = 2048;

  private static final int MAX_ROOM_NAME = 256;
  private static final int MAX_BUFFERED = 256;
  private static final long SYNC_WAIT_MS = 1_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A message the session refused before the hub saw it: too large, not JSON. */
  record Refusal(String code, String message) {}

  private static final class LocalPeer {
    final String peerId;
    final JsonNode meta;
    final String token;
    PeerSession session;
    long graceTimer = -1;
    final Deque<String> buffered = new ArrayDeque<>();

    LocalPeer(String peerId, JsonNode meta, String token, PeerSession session) {
      this.peerId = peerId;
      this.meta = meta;
      this.token = token;
      this.session = session;
    }
  }

  private record RemotePeer(String peerId, JsonNode meta, String instance) {}

  private static final class Room {
    final String name;
    final Map<String, LocalPeer> local = new LinkedHashMap<>();
    final Map<String, RemotePeer> remote = new LinkedHashMap<>();
    boolean synced;
    String syncRequest;
    Set<String> awaiting = new HashSet<>();
    /** Whether the call goes through the SFU (from the moment it outgrew a mesh, or was asked to). */
    boolean sfu;
    long syncTimer = -1;
    final List<Runnable> waiting = new ArrayList<>();

    Room(String name) {
      this.name = name;
    }

    int size() {
      return local.size() + remote.size();
    }
  }

  private final Vertx vertx;
  private final SignalingConfig config;
  private final TurnCredentials turn;
  private final Consumer<SignalRecord> publish;
  private final CallStats callStats;
  private final SfuRooms sfu;
  private final Map<String, Room> rooms = new HashMap<>();
  private final Map<String, Long> instances = new HashMap<>();
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong joins = new AtomicLong();

  SignalingHub(Vertx vertx, SignalingConfig config, TurnCredentials turn, Consumer<SignalRecord> publish,
      CallStats callStats, SfuConfig sfuConfig) {
    this.vertx = vertx;
    this.config = config;
    this.turn = turn;
    this.publish = publish;
    this.callStats = callStats;
    this.sfu = new SfuRooms(vertx, sfuConfig, new SfuRooms.Peers() {
      @Override
      public void send(String room, String peerId, ObjectNode message) {
        Room r = rooms.get(room);
        LocalPeer p = r == null ? null : r.local.get(peerId);
        if (p != null) {
          deliver(p, message.toString());
        }
      }

      @Override
      public List<String> local(String room) {
        Room r = rooms.get(room);
        return r == null ? List.of() : List.copyOf(r.local.keySet());
      }
    });
  }

  /** The SFU side: connects to Janus (when configured). */
  SfuRooms sfu() {
    return sfu;
  }

  public long relayedCount() {
    return relayed.get();
  }

  public long refusedCount() {
    return refused.get();
  }

  public long joinCount() {
    return joins.get();
  }

  public int roomCount() {
    return rooms.size();
  }

  // ---- from clients ----

  void onMessage(PeerSession s, Object parsed) {
    if (s.closed) {
      return;
    }
    if (parsed instanceof Refusal r) {
      refuse(s, r.code(), r.message(), null);
      return;
    }
    ObjectNode m = (ObjectNode) parsed;
    if (!s.take()) {
      refuse(s, RATE_LIMITED, "more than " + config.messagesPerSecond() + " messages a second; slow down", null);
      return;
    }
    String type = m.path("type").asText("");
    if (type.equals("auth")) {
      auth(s, m.get("token"));
      return;
    }
    String room = m.path("room").isTextual() ? m.get("room").textValue() : null;
    if (!List.of("join", "signal", "broadcast", "leave", "stats", "publish", "subscribe", "answer", "candidate")
        .contains(type)) {
      refuse(s, UNKNOWN_TYPE, "unknown message type '" + type + "'", room);
      return;
    }
    if (room == null || room.isEmpty() || room.length() > MAX_ROOM_NAME) {
      refuse(s, BAD_MESSAGE, "room must be a string of 1 to " + MAX_ROOM_NAME + " characters", null);
      return;
    }
    switch (type) {
      case "join" -> join(s, room, m.get("meta"), m.get("resume"));
      case "signal" -> signal(s, room, m.get("to"), m.get("data"));
      case "broadcast" -> broadcast(s, room, m.get("data"));
      case "stats" -> stats(s, room, m);
      case "publish", "subscribe", "answer", "candidate" -> toSfu(s, room, type, m);
      default -> leave(s, room);
    }
  }

  private void refuse(PeerSession s, String code, String message, String room) {
    refused.incrementAndGet();
    s.error(code, message, room);
  }

  private void join(PeerSession s, String roomName, JsonNode meta, JsonNode resume) {
    if (!s.principal().grants().mayJoin(roomName)) {
      refuse(s, FORBIDDEN, "the token does not grant joining room " + roomName, roomName);
      return;
    }
    if (!s.rooms.containsKey(roomName) && s.rooms.size() >= MAX_ROOMS_PER_CONNECTION) {
      refuse(s, TOO_MANY_ROOMS, "a connection may be in at most " + MAX_ROOMS_PER_CONNECTION + " rooms; leave one first",
          roomName);
      return;
    }
    if (meta != null && meta.toString().length() > MAX_META_CHARS) {
      refuse(s, TOO_LARGE, "meta is over " + MAX_META_CHARS + " characters of JSON", roomName);
      return;
    }
    if (s.rooms.containsKey(roomName)) {
      refuse(s, ALREADY_JOINED, "already in room " + roomName + " as " + s.rooms.get(roomName), roomName);
      return;
    }
    if (meta != null && !meta.isNull() && !meta.isObject()) {
      refuse(s, BAD_MESSAGE, "meta must be an object", roomName);
      return;
    }
    if (resume != null && !resume.isNull()) {
      resume(s, roomName, resume);
      return;
    }
    ObjectNode peerMeta = meta == null || meta.isNull() ? JsonNodeFactory.instance.objectNode()
        : ((ObjectNode) meta).deepCopy();
    // Who the peer is comes from its token, never from what it says: meta.user is the token's sub.
    peerMeta.put("user", s.user);
    Room room = rooms.computeIfAbsent(roomName, Room::new);
    whenSynced(room, () -> {
      if (s.closed) {
        dropIfEmpty(room);
        return;
      }
      if (s.rooms.containsKey(roomName)) {
        refuse(s, ALREADY_JOINED, "already in room " + roomName, roomName);
        return;
      }
      if (room.size() >= config.roomCapacity()) {
        refuse(s, ROOM_FULL, "room " + roomName + " is full (" + config.roomCapacity() + " peers)", roomName);
        dropIfEmpty(room);
        return;
      }
      String peerId = randomId(12);
      LocalPeer peer = new LocalPeer(peerId, peerMeta, randomId(32), s);
      room.local.put(peerId, peer);
      s.rooms.put(roomName, peerId);
      joins.incrementAndGet();
      boolean switching = !room.sfu && (sfu.wanted(room.size()) || peerMeta.path("sfu").asBoolean(false) && sfu.available());
      room.sfu |= switching;
      s.send(joined(room, peer));
      toLocals(room, peerId, peerJoined(roomName, peerId, peerMeta));
      publish.accept(SignalRecord.join(config.instanceId(), roomName, peerId, peerMeta));
      if (switching) {
        sfu.switchTo(roomName);
      }
    });
  }

  private void resume(PeerSession s, String roomName, JsonNode token) {
    Room room = rooms.get(roomName);
    LocalPeer peer = null;
    if (room != null && token.isTextual()) {
      for (LocalPeer p : room.local.values()) {
        if (p.token.equals(token.textValue())) {
          peer = p;
        }
      }
    }
    if (peer == null || peer.session != null && !peer.session.closed) {
      refuse(s, BAD_TOKEN, "no peer of room " + roomName + " to resume with that token (expired?); join afresh", roomName);
      return;
    }
    vertx.cancelTimer(peer.graceTimer);
    peer.graceTimer = -1;
    peer.session = s;
    s.rooms.put(roomName, peer.peerId);
    s.send(joined(room, peer));
    while (!peer.buffered.isEmpty()) {
      s.sendText(peer.buffered.pollFirst());
    }
  }

  private ObjectNode joined(Room room, LocalPeer peer) {
    ObjectNode m = event("joined", room.name, peer.peerId);
    ArrayNode peers = m.putArray("peers");
    for (LocalPeer p : room.local.values()) {
      if (p != peer) {
        peers.addObject().put("peerId", p.peerId).set("meta", p.meta);
      }
    }
    for (RemotePeer p : room.remote.values()) {
      peers.addObject().put("peerId", p.peerId()).set("meta", p.meta());
    }
    long now = System.currentTimeMillis();
    // TURN as expiry:sub, for no longer than the joining connection's token lives.
    m.set("iceServers", peer.session == null ? turn.iceServers(peer.peerId, now)
        : turn.iceServers(peer.session.user, now, peer.session.principal().secondsLeft(now)));
    m.put("token", peer.token);
    m.put("mode", room.sfu ? "sfu" : "mesh");
    if (room.sfu) {
      ArrayNode feeds = m.putArray("feeds");
      sfu.feeds(room.name).forEach(feeds::add);
    }
    return m;
  }

  /**
   * The SFU messages of a peer in an SFU room: {@code publish} (its offer), {@code subscribe}
   * (feeds of its room, by peer id, and an optional {@code substream}), {@code answer} (to a
   * subscription offer), {@code candidate} (of its {@code publisher} or {@code subscriber}
   * connection).
   */
  private void toSfu(PeerSession s, String roomName, String type, ObjectNode m) {
    String peerId = s.rooms.get(roomName);
    if (peerId == null) {
      refuse(s, NOT_IN_ROOM, "join room " + roomName + " first", roomName);
      return;
    }
    Room room = rooms.get(roomName);
    if (room == null || !room.sfu) {
      refuse(s, NOT_SFU, "room " + roomName + " is a mesh call: signal your peers directly", roomName);
      return;
    }
    switch (type) {
      case "publish" -> {
        JsonNode offer = m.get("offer");
        if (!description(offer, "offer")) {
          refuse(s, BAD_MESSAGE, "publish needs offer: {type: offer, sdp}", roomName);
          return;
        }
        sfu.publish(roomName, peerId, offer);
      }
      case "subscribe" -> {
        JsonNode feeds = m.get("feeds");
        JsonNode layer = m.get("substream");
        if (feeds == null || !feeds.isArray() || feeds.size() > config.roomCapacity()
            || !java.util.stream.StreamSupport.stream(feeds.spliterator(), false).allMatch(JsonNode::isTextual)
            || layer != null && !(layer.isInt() && layer.asInt() >= 0 && layer.asInt() <= 2)) {
          refuse(s, BAD_MESSAGE, "subscribe needs feeds (peer ids) and an optional substream 0, 1 or 2", roomName);
          return;
        }
        List<String> wanted = new ArrayList<>();
        feeds.forEach(f -> wanted.add(f.textValue()));
        sfu.subscribe(roomName, peerId, wanted, layer == null ? -1 : layer.asInt());
      }
      case "answer" -> {
        JsonNode answer = m.get("answer");
        if (!description(answer, "answer")) {
          refuse(s, BAD_MESSAGE, "answer needs answer: {type: answer, sdp}", roomName);
          return;
        }
        sfu.answer(roomName, peerId, answer);
      }
      default -> {
        String pc = m.path("pc").asText("");
        JsonNode c = m.get("candidate");
        if (!pc.equals("publisher") && !pc.equals("subscriber") || c != null && !c.isNull() && !c.isObject()) {
          refuse(s, BAD_MESSAGE, "candidate needs pc (publisher or subscriber) and candidate (an object or null)",
              roomName);
          return;
        }
        sfu.candidate(roomName, peerId, pc.equals("publisher"), c);
      }
    }
  }

  private static boolean description(JsonNode d, String type) {
    return d != null && d.isObject() && type.equals(d.path("type").asText()) && d.path("sdp").isTextual()
        && d.get("sdp").textValue().length() < 200_000;
  }

  private void signal(PeerSession s, String roomName, JsonNode to, JsonNode data) {
    String from = s.rooms.get(roomName);
    if (from == null) {
      refuse(s, NOT_IN_ROOM, "join room " + roomName + " first", roomName);
      return;
    }
    if (to == null || !to.isTextual() || data == null || !data.isObject()) {
      refuse(s, BAD_MESSAGE, "a signal needs to (a peer id) and data (an object)", roomName);
      return;
    }
    Room room = rooms.get(roomName);
    String target = to.textValue();
    LocalPeer local = room.local.get(target);
    if (local != null) {
      relayed.incrementAndGet();
      deliver(local, relay("signal", roomName, from, data).toString());
      return;
    }
    RemotePeer remote = room.remote.get(target);
    if (remote == null) {
      refuse(s, PEER_NOT_FOUND, "no peer " + target + " in room " + roomName, roomName);
      return;
    }
    relayed.incrementAndGet();
    publish.accept(SignalRecord.signal(remote.instance(), roomName, from, target, data));
  }

  private void broadcast(PeerSession s, String roomName, JsonNode data) {
    String from = s.rooms.get(roomName);
    if (from == null) {
      refuse(s, NOT_IN_ROOM, "join room " + roomName + " first", roomName);
      return;
    }
    if (data == null || data.isNull() || data.isMissingNode()) {
      refuse(s, BAD_MESSAGE, "a broadcast needs data", roomName);
      return;
    }
    Room room = rooms.get(roomName);
    relayed.incrementAndGet();
    toLocals(room, from, relay("broadcast", roomName, from, data).toString());
    if (!room.remote.isEmpty()) {
      publish.accept(SignalRecord.broadcast(config.instanceId(), roomName, from, data));
    }
  }

  /** A call-quality report of a peer in the room: checked, stamped and written for analysts. */
  private void stats(PeerSession s, String roomName, ObjectNode m) {
    String peerId = s.rooms.get(roomName);
    if (peerId == null) {
      refuse(s, NOT_IN_ROOM, "not in room " + roomName, roomName);
      return;
    }
    long now = System.currentTimeMillis();
    Long last = s.statsAt.get(roomName);
    if (last != null && now - last < CallStats.MIN_INTERVAL_MS) {
      refuse(s, RATE_LIMITED, "at most one stats report per room every " + CallStats.MIN_INTERVAL_MS + " ms", roomName);
      return;
    }
    var bad = callStats.problems(m);
    if (bad.isPresent()) {
      refuse(s, BAD_MESSAGE, bad.get(), roomName);
      return;
    }
    s.statsAt.put(roomName, now);
    callStats.record(roomName, peerId, s.principal().user(), m, now);
  }

  private void leave(PeerSession s, String roomName) {
    s.statsAt.remove(roomName);
    String peerId = s.rooms.remove(roomName);
    if (peerId == null) {
      refuse(s, NOT_IN_ROOM, "not in room " + roomName, roomName);
      return;
    }
    Room room = rooms.get(roomName);
    remove(room, room.local.get(peerId));
  }

  /** A connection is open: its token's clock starts. */
  void started(PeerSession s) {
    if (s.closed) {
      return;
    }
    s.token.start(seconds -> {
      ObjectNode m = JsonNodeFactory.instance.objectNode();
      m.put("type", "auth");
      m.put("expiring", seconds);
      s.send(m);
    }, () -> s.socket.close(SessionToken.CLOSE_EXPIRED, "token expired"));
  }

  /**
   * {@code {"type":"auth","token":T}}: a fresh token for the same user, answered
   * {@code {"type":"auth","user","exp"}}; the rooms it no longer grants are left, each with a
   * {@code FORBIDDEN} error naming it. A refused token leaves the old one in force.
   */
  private void auth(PeerSession s, JsonNode token) {
    if (token == null || !token.isTextual()) {
      refuse(s, BAD_MESSAGE, "auth takes a token", null);
      return;
    }
    SessionToken.Refresh r = s.token.refresh(token.textValue());
    if (r instanceof SessionToken.Refresh.Rejected rej) {
      refuse(s, rej.error().code().equals("ERR_UNAUTHORIZED") ? UNAUTHORIZED : FORBIDDEN, rej.error().message(), null);
      return;
    }
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("type", "auth");
    m.put("user", s.user);
    s.principal().expires().ifPresent(e -> m.put("exp", e.getEpochSecond()));
    s.send(m);
    for (String room : new ArrayList<>(s.rooms.keySet())) {
      if (!s.principal().grants().mayJoin(room)) {
        leave(s, room);
        refuse(s, FORBIDDEN, "the fresh token does not grant room " + room + "; you left it", room);
      }
    }
  }

  /** The connection closed: a clean close leaves every room; a drop keeps the places for a resume. */
  void closed(PeerSession s, boolean clean) {
    s.closed = true;
    s.token.stop();
    for (Map.Entry<String, String> e : s.rooms.entrySet()) {
      Room room = rooms.get(e.getKey());
      LocalPeer peer = room == null ? null : room.local.get(e.getValue());
      if (peer == null || peer.session != s) {
        continue;
      }
      if (clean) {
        remove(room, peer);
      } else {
        peer.session = null;
        peer.graceTimer = vertx.setTimer(config.resumeGrace().toMillis(), t -> {
          if (peer.session == null && room.local.get(peer.peerId) == peer) {
            remove(room, peer);
          }
        });
      }
    }
    s.rooms.clear();
  }

  private void remove(Room room, LocalPeer peer) {
    if (peer == null) {
      return;
    }
    vertx.cancelTimer(peer.graceTimer);
    room.local.remove(peer.peerId);
    if (room.sfu) {
      sfu.left(room.name, peer.peerId);
    }
    toLocals(room, null, event("peer-left", room.name, peer.peerId).toString());
    publish.accept(SignalRecord.leave(config.instanceId(), room.name, peer.peerId));
    dropIfEmpty(room);
  }

  // ---- from other instances ----

  public void onRecord(SignalRecord r) {
    long now = System.currentTimeMillis();
    instances.put(r.instance(), now);
    boolean mine = config.instanceId().equals(r.instance());
    switch (r.kind()) {
      case SignalRecord.JOIN -> {
        Room room = rooms.get(r.room());
        // Before the room is synced its peers learn everyone from joined; after, from peer-joined.
        if (!mine && room != null
            && room.remote.putIfAbsent(r.peerId(), new RemotePeer(r.peerId(), r.meta(), r.instance())) == null
            && room.synced) {
          toLocals(room, null, peerJoined(r.room(), r.peerId(), r.meta()));
          if (!room.sfu && (sfu.wanted(room.size()) || r.meta() != null && r.meta().path("sfu").asBoolean(false)
              && sfu.available())) {
            room.sfu = true;
            sfu.switchTo(room.name);
          }
        }
      }
      case SignalRecord.LEAVE -> {
        Room room = rooms.get(r.room());
        if (!mine && room != null && room.remote.remove(r.peerId()) != null && room.synced) {
          toLocals(room, null, event("peer-left", r.room(), r.peerId()).toString());
        }
      }
      case SignalRecord.SIGNAL -> {
        Room room = rooms.get(r.room());
        LocalPeer peer = mine && room != null ? room.local.get(r.to()) : null;
        if (peer != null) {
          deliver(peer, relay("signal", r.room(), r.from(), r.data()).toString());
        }
      }
      case SignalRecord.BROADCAST -> {
        Room room = rooms.get(r.room());
        if (!mine && room != null) {
          toLocals(room, null, relay("broadcast", r.room(), r.from(), r.data()).toString());
        }
      }
      case SignalRecord.SYNC -> {
        if (!mine) {
          Room room = rooms.get(r.room());
          List<Member> members = new ArrayList<>();
          if (room != null) {
            room.local.values().forEach(p -> members.add(new Member(p.peerId, p.meta)));
          }
          publish.accept(SignalRecord.members(config.instanceId(), r.room(), r.request(), members));
        }
      }
      case SignalRecord.MEMBERS -> {
        Room room = rooms.get(r.room());
        if (!mine && room != null && !room.synced && r.request().equals(room.syncRequest)) {
          for (Member m : r.peers()) {
            room.remote.put(m.peerId(), new RemotePeer(m.peerId(), m.meta(), r.instance()));
          }
          room.awaiting.remove(r.instance());
          if (room.awaiting.isEmpty()) {
            synced(room);
          }
        }
      }
      default -> { } // heartbeat: noted above
    }
  }

  /** Forgets instances silent for the TTL: their peers leave every room here. */
  public void sweep() {
    long now = System.currentTimeMillis();
    long ttl = config.instanceTtl().toMillis();
    for (Iterator<Map.Entry<String, Long>> it = instances.entrySet().iterator(); it.hasNext();) {
      Map.Entry<String, Long> e = it.next();
      if (e.getKey().equals(config.instanceId()) || now - e.getValue() <= ttl) {
        continue;
      }
      it.remove();
      for (Room room : rooms.values()) {
        for (Iterator<RemotePeer> pi = room.remote.values().iterator(); pi.hasNext();) {
          RemotePeer p = pi.next();
          if (p.instance().equals(e.getKey())) {
            pi.remove();
            toLocals(room, null, event("peer-left", room.name, p.peerId()).toString());
          }
        }
      }
    }
  }

  // ---- helpers ----

  /** Runs {@code then} once this instance knows the room's peers on every live instance. */
  private void whenSynced(Room room, Runnable then) {
    if (room.synced) {
      then.run();
      return;
    }
    room.waiting.add(then);
    if (room.syncRequest != null) {
      return;
    }
    long now = System.currentTimeMillis();
    room.awaiting = new HashSet<>();
    instances.forEach((id, seen) -> {
      if (!id.equals(config.instanceId()) && now - seen <= config.instanceTtl().toMillis()) {
        room.awaiting.add(id);
      }
    });
    if (room.awaiting.isEmpty()) {
      synced(room);
      return;
    }
    room.syncRequest = randomId(12);
    publish.accept(SignalRecord.sync(config.instanceId(), room.name, room.syncRequest));
    room.syncTimer = vertx.setTimer(SYNC_WAIT_MS, t -> {
      if (!room.synced) {
        synced(room);
      }
    });
  }

  private void synced(Room room) {
    room.synced = true;
    room.syncRequest = null;
    vertx.cancelTimer(room.syncTimer);
    List<Runnable> waiting = new ArrayList<>(room.waiting);
    room.waiting.clear();
    waiting.forEach(Runnable::run);
  }

  private void dropIfEmpty(Room room) {
    if (room.local.isEmpty() && room.waiting.isEmpty()) {
      vertx.cancelTimer(room.syncTimer);
      rooms.remove(room.name);
    }
  }

  private void toLocals(Room room, String except, String text) {
    for (LocalPeer p : room.local.values()) {
      if (!p.peerId.equals(except)) {
        deliver(p, text);
      }
    }
  }

  /** To the peer's connection, or kept for its resume while it has none. */
  private static void deliver(LocalPeer peer, String text) {
    if (peer.session != null && !peer.session.closed) {
      peer.session.sendText(text);
    } else if (peer.buffered.size() < MAX_BUFFERED) {
      peer.buffered.addLast(text);
    }
  }

  private static ObjectNode event(String type, String room, String peerId) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("type", type);
    m.put("room", room);
    m.put("peerId", peerId);
    return m;
  }

  private static String peerJoined(String room, String peerId, JsonNode meta) {
    ObjectNode m = event("peer-joined", room, peerId);
    m.set("meta", meta);
    return m.toString();
  }

  private static ObjectNode relay(String type, String room, String from, JsonNode data) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("type", type);
    m.put("room", room);
    m.put("from", from);
    m.set("data", data);
    return m;
  }

  private static String randomId(int chars) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder(chars);
    for (int i = 0; i < chars; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
