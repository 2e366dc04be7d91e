package dev.tandem.signal.sfu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.signal.sfu.JanusClient.JanusException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU side of calls: for this signaling instance's peers in rooms that use the SFU, drives
 * Janus's VideoRoom plugin. Tandem stays the only endpoint clients talk to: a peer's publish
 * offer becomes a Janus publisher (its feed id is its peer id), its subscribe a Janus
 * subscriber to the room's feeds; answers, candidates and feed lists go through signaling.
 *
 * <p>A Janus room per Tandem room, private, with a secret derived from the installation's SFU
 * secret and the room's name (every signaling instance derives the same, so any creates it and
 * all can add tokens), and an {@code allowed} list: each peer joins with a token of its own that
 * this instance adds to the list. Clients never see a secret; a subscriber reaches only feeds of
 * its own room. When the Janus in use stops answering, the next of {@code TANDEM_JANUS_URLS}
 * takes its rooms: every local peer of an SFU room hears {@code {"type":"sfu","restart":true}}
 * and publishes and subscribes again. Confined to the hub's event loop.
 */
public final class SfuRooms {

  private static final Logger LOG = LoggerFactory.getLogger(SfuRooms.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Where SFU messages for a local peer go, and who is in a room here. */
  public interface Peers {
    void send(String room, String peerId, ObjectNode message);

    List<String> local(String room);
  }

  private final Vertx vertx;
  private final SfuConfig config;
  private final Peers peers;
  private final List<JanusClient> janus = new ArrayList<>();
  private JanusClient current;
  /** The handle room requests go on, and the Janus it is attached to. */
  private Future<Long> control;
  private JanusClient controlOf;
  private final Map<String, Room> rooms = new HashMap<>();

  private static final class Room {
    final String name;
    final String janusId;
    final String secret;
    Future<Void> created;
    final Set<String> feeds = new LinkedHashSet<>();
    final Map<String, Member> members = new HashMap<>();

    Room(String name, String janusId, String secret) {
      this.name = name;
      this.janusId = janusId;
      this.secret = secret;
    }
  }

  private static final class Member {
    final String token = HexFormat.of().formatHex(bytes(16));
    Long publisher;
    Long subscriber;
    Future<Void> allowed;
    List<String> subscribed = List.of();
    /** The feeds to subscribe to once the negotiation under way ends; null when nothing waits. */
    List<String> next;
    boolean negotiating;
    long guard = -1;
    int substream = -1;
    final Map<String, String> mids = new HashMap<>();
  }

  public SfuRooms(Vertx vertx, SfuConfig config, Peers peers) {
    this.vertx = vertx;
    this.config = config;
    this.peers = peers;
    for (String url : config.janusUrls()) {
      janus.add(new JanusClient(vertx, url, config.apiSecret()));
    }
  }

  /** Whether a Janus is in use now: without one, calls stay in mesh. */
  public boolean available() {
    return current != null;
  }

  /** Connects to the first Janus that answers; the others stand by. Without one, it keeps trying. */
  public Future<Void> start() {
    if (janus.isEmpty()) {
      return Future.succeededFuture();
    }
    return connectFrom(0).onFailure(e -> vertx.setTimer(1_000, t -> tryAgain(List.of(), 0, 1)));
  }

  private Future<Void> connectFrom(int i) {
    if (i >= janus.size()) {
      current = null;
      return Future.failedFuture("no Janus of " + config.janusUrls() + " answers");
    }
    JanusClient j = janus.get(i).lost() ? fresh(i) : janus.get(i);
    return j.connect().compose(v -> {
      current = j;
      j.onLost(() -> failover(j));
      LOG.info("SFU: Janus at {}", j.url());
      return Future.<Void>succeededFuture();
    }, e -> {
      LOG.warn("SFU: Janus at {} does not answer: {}", j.url(), e.getMessage());
      j.close();
      return connectFrom(i + 1);
    });
  }

  private JanusClient fresh(int i) {
    JanusClient j = new JanusClient(vertx, janus.get(i).url(), config.apiSecret());
    janus.set(i, j);
    return j;
  }

  /** Whether a room of {@code size} peers uses the SFU (or was asked to). */
  public boolean wanted(int size) {
    return available() && size > config.threshold();
  }

  public int threshold() {
    return config.threshold();
  }

  /** The room now uses the SFU: its local peers hear it and publish. */
  public void switchTo(String room) {
    room(room);
    ObjectNode m = message("sfu", room);
    for (String p : peers.local(room)) {
      peers.send(room, p, m);
    }
  }

  /** A local peer's publish offer: answered with Janus's answer ({@code published}). */
  public void publish(String roomName, String peerId, JsonNode offer) {
    Room room = room(roomName);
    Member m = room.members.computeIfAbsent(peerId, k -> new Member());
    ready(room, m).compose(v -> {
      Future<Long> handle = m.publisher != null ? Future.succeededFuture(m.publisher)
          : current.attach((data, jsep) -> onPublisherEvent(room, peerId, data));
      return handle.compose(h -> {
        m.publisher = h;
        ObjectNode body = NODES.objectNode();
        body.put("request", "joinandconfigure");
        body.put("room", room.janusId);
        body.put("ptype", "publisher");
        body.put("id", peerId);
        body.put("display", peerId);
        body.put("token", m.token);
        return current.message(h, body, offer);
      });
    }).onComplete(ar -> {
      if (ar.failed()) {
        refuse(roomName, peerId, "SFU_UNAVAILABLE", "the SFU could not take the stream: " + ar.cause().getMessage());
        return;
      }
      JsonNode r = ar.result();
      ObjectNode out = message("published", roomName);
      out.set("answer", r.get("jsep"));
      peers.send(roomName, peerId, out);
      // Its own feed reaches the others once its media is up: Janus then tells their handles.
      if (addFeeds(room, r.path("data").path("publishers"))) {
        announceFeeds(room);
      }
    });
  }

  /**
   * A local peer subscribes to {@code feeds} of its room (peer ids), at {@code substream} (-1:
   * the SFU's choice). One negotiation at a time per peer (Janus takes no update while an offer
   * waits for its answer): a request made meanwhile replaces the one waiting, and runs when the
   * current one ends. Feeds not published in the room are refused ({@code FEED_NOT_FOUND}); the
   * others are subscribed.
   */
  public void subscribe(String roomName, String peerId, List<String> feeds, int substream) {
    Room room = room(roomName);
    Member m = room.members.computeIfAbsent(peerId, k -> new Member());
    List<String> others = feeds.stream().filter(f -> !f.equals(peerId)).distinct().toList();
    if (others.stream().anyMatch(f -> !room.feeds.contains(f))) {
      refuse(roomName, peerId, "FEED_NOT_FOUND", "a subscription names a feed that is not published in this room");
    }
    m.substream = substream;
    m.next = others.stream().filter(room.feeds::contains).toList();
    if (!m.negotiating) {
      nextSubscription(room, peerId, m);
    }
  }

  private void nextSubscription(Room room, String peerId, Member m) {
    if (m.next == null || room.members.get(peerId) != m) {
      return;
    }
    List<String> wanted = m.next.stream().filter(room.feeds::contains).toList();
    m.next = null;
    List<String> add = wanted.stream().filter(f -> !m.subscribed.contains(f)).toList();
    List<String> drop = m.subscribed.stream().filter(f -> !wanted.contains(f)).toList();
    if (add.isEmpty() && drop.isEmpty()) {
      return;
    }
    m.negotiating = true;
    long guard = vertx.setTimer(10_000, t -> endNegotiation(room, peerId, m));
    m.guard = guard;
    ready(room, m).compose(v -> {
      if (m.subscriber == null) {
        return current.attach((data, jsep) -> onSubscriberEvent(room, peerId, data, jsep)).compose(h -> {
          m.subscriber = h;
          ObjectNode body = NODES.objectNode();
          body.put("request", "join");
          body.put("room", room.janusId);
          body.put("ptype", "subscriber");
          body.put("token", m.token);
          body.put("use_msid", true);
          body.set("streams", streams(add));
          return current.message(h, body, null);
        });
      }
      ObjectNode body = NODES.objectNode();
      body.put("request", "update");
      if (!add.isEmpty()) {
        body.set("subscribe", streams(add));
      }
      if (!drop.isEmpty()) {
        body.set("unsubscribe", streams(drop));
      }
      return current.message(m.subscriber, body, null);
    }).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof JanusException je && je.code == 428 && m.next == null) {
          // A feed Janus does not have yet (its publisher is still connecting): again shortly.
          m.next = wanted;
          vertx.setTimer(500, t -> endNegotiation(room, peerId, m));
        } else {
          refuse(room.name, peerId, "SFU_UNAVAILABLE", "the SFU could not subscribe: " + ar.cause().getMessage());
          endNegotiation(room, peerId, m);
        }
        return;
      }
      m.subscribed = wanted;
      JsonNode r = ar.result();
      if (r != null && r.has("jsep")) {
        offerSubscription(room.name, peerId, m, r.get("data"), r.get("jsep"));
      } else {
        endNegotiation(room, peerId, m);
      }
    });
  }

  private void endNegotiation(Room room, String peerId, Member m) {
    if (!m.negotiating) {
      return;
    }
    vertx.cancelTimer(m.guard);
    m.negotiating = false;
    nextSubscription(room, peerId, m);
  }

  /** The answer to a subscription offer: the media starts, and the next subscription may go. */
  public void answer(String roomName, String peerId, JsonNode answer) {
    Room room = rooms.get(roomName);
    Member m = room == null ? null : room.members.get(peerId);
    if (m == null || m.subscriber == null || current == null) {
      refuse(roomName, peerId, "NOT_SUBSCRIBED", "no subscription waits for an answer");
      return;
    }
    current.message(m.subscriber, NODES.objectNode().put("request", "start"), answer).onComplete(ar -> {
      if (ar.failed()) {
        refuse(roomName, peerId, "SFU_UNAVAILABLE", "the SFU refused the answer: " + ar.cause().getMessage());
      } else if (m.substream >= 0) {
        configureLayer(m);
      }
      endNegotiation(room, peerId, m);
    });
  }

  /** A candidate of the peer's publishing or subscribing connection ({@code null}: gathering done). */
  public void candidate(String roomName, String peerId, boolean publisher, JsonNode candidate) {
    Room room = rooms.get(roomName);
    Member m = room == null ? null : room.members.get(peerId);
    Long h = m == null ? null : publisher ? m.publisher : m.subscriber;
    if (h != null && current != null) {
      current.trickle(h, candidate);
    }
  }

  /** A local peer left its room: its handles go, and with them its feed. */
  public void left(String roomName, String peerId) {
    Room room = rooms.get(roomName);
    if (room == null) {
      return;
    }
    Member m = room.members.remove(peerId);
    if (m != null && current != null) {
      if (m.publisher != null) {
        current.detach(m.publisher);
      }
      if (m.subscriber != null) {
        current.detach(m.subscriber);
      }
    }
    if (room.feeds.remove(peerId)) {
      announceFeeds(room);
    }
    if (peers.local(roomName).isEmpty()) {
      rooms.remove(roomName);
    }
  }

  /** Whether {@code room} uses the SFU here. */
  public boolean active(String room) {
    return rooms.containsKey(room);
  }

  /** The feeds published in {@code room}, as far as this instance knows. */
  public List<String> feeds(String room) {
    Room r = rooms.get(room);
    return r == null ? List.of() : List.copyOf(r.feeds);
  }

  public void close() {
    janus.forEach(JanusClient::close);
  }

  // ---- Janus's side ----

  private void onPublisherEvent(Room room, String peerId, JsonNode data) {
    if (data.has("publishers") && addFeeds(room, data.get("publishers"))) {
      announceFeeds(room);
    }
    for (String gone : List.of("unpublished", "leaving")) {
      JsonNode id = data.get(gone);
      if (id != null && !id.asText().equals("ok") && room.feeds.remove(id.asText())) {
        announceFeeds(room);
      }
    }
  }

  private void onSubscriberEvent(Room room, String peerId, JsonNode data, JsonNode jsep) {
    Member m = room.members.get(peerId);
    if (m != null && jsep != null) {
      offerSubscription(room.name, peerId, m, data, jsep);
    }
  }

  private void offerSubscription(String roomName, String peerId, Member m, JsonNode data, JsonNode jsep) {
    ObjectNode out = message("subscription", roomName);
    out.set("offer", jsep);
    ArrayNode streams = out.putArray("streams");
    m.mids.clear();
    for (JsonNode s : data.path("streams")) {
      if (s.has("mid") && s.has("feed_id")) {
        streams.addObject().put("mid", s.get("mid").asText()).put("feed", s.get("feed_id").asText())
            .put("kind", s.path("type").asText());
        m.mids.put(s.get("mid").asText(), s.path("type").asText());
      }
    }
    peers.send(roomName, peerId, out);
  }

  private void configureLayer(Member m) {
    ObjectNode body = NODES.objectNode();
    body.put("request", "configure");
    ArrayNode streams = body.putArray("streams");
    m.mids.forEach((mid, kind) -> {
      if (kind.equals("video")) {
        streams.addObject().put("mid", mid).put("substream", m.substream);
      }
    });
    if (!streams.isEmpty()) {
      current.message(m.subscriber, body, null);
    }
  }

  /** Adds the feeds Janus lists; true when one was new. */
  private static boolean addFeeds(Room room, JsonNode publishers) {
    boolean added = false;
    for (JsonNode p : publishers) {
      if (p.has("id")) {
        added |= room.feeds.add(p.get("id").asText());
      }
    }
    return added;
  }

  private void announceFeeds(Room room) {
    ObjectNode m = message("feeds", room.name);
    ArrayNode feeds = m.putArray("feeds");
    room.feeds.forEach(feeds::add);
    for (String p : peers.local(room.name)) {
      peers.send(room.name, p, m);
    }
  }

  /** The Janus room exists and the member's token is allowed in it. */
  private Future<Void> ready(Room room, Member m) {
    if (current == null) {
      return Future.failedFuture("no SFU is available");
    }
    if (room.created == null) {
      room.created = createRoom(room);
      room.created.onFailure(e -> room.created = null);
    }
    if (m.allowed == null) {
      m.allowed = room.created.compose(v -> allow(room, m.token));
      m.allowed.onFailure(e -> m.allowed = null);
    }
    return m.allowed;
  }

  private Future<Void> createRoom(Room room) {
    ObjectNode body = NODES.objectNode();
    body.put("request", "create");
    body.put("room", room.janusId);
    body.put("secret", room.secret);
    if (config.adminKey() != null) {
      body.put("admin_key", config.adminKey());
    }
    body.put("is_private", true);
    body.put("publishers", config.maxPublishers());
    body.put("bitrate", config.bitrate());
    body.put("audiocodec", "opus");
    body.put("videocodec", "vp8");
    body.putArray("allowed");
    body.put("notify_joining", false);
    return admin(body).recover(e -> {
      if (e instanceof JanusException je && je.code == 427) {
        return Future.succeededFuture(); // created by another signaling instance
      }
      return Future.failedFuture(e);
    });
  }

  private Future<Void> allow(Room room, String token) {
    ObjectNode body = NODES.objectNode();
    body.put("request", "allowed");
    body.put("room", room.janusId);
    body.put("secret", room.secret);
    body.put("action", "add");
    body.putArray("allowed").add(token);
    return admin(body);
  }

  /**
   * A room request (create, allowed) on the session's one control handle, attached once per
   * Janus in use: not a handle attached and detached for every join.
   */
  private Future<Void> admin(ObjectNode body) {
    JanusClient j = current;
    if (control == null || controlOf != j) {
      controlOf = j;
      control = j.attach((d, e) -> { });
      control.onFailure(e -> control = null);
    }
    return control.compose(h -> j.message(h, body, null)).mapEmpty();
  }

  /** The Janus in use stopped answering: the next that answers takes every SFU room. */
  private void failover(JanusClient gone) {
    if (current != gone) {
      return;
    }
    current = null;
    List<String> active = new ArrayList<>(rooms.keySet());
    for (Room r : rooms.values()) {
      r.created = null;
      r.feeds.clear();
      r.members.clear();
    }
    tryAgain(active, janus.indexOf(gone) + 1, 0);
  }

  private void tryAgain(List<String> active, int from, int attempt) {
    start(from).onComplete(ar -> {
      if (ar.failed()) {
        long delay = Math.min(5_000, 250L << Math.min(attempt, 5));
        vertx.setTimer(delay, t -> tryAgain(active, 0, attempt + 1));
        return;
      }
      for (String room : active) {
        if (rooms.containsKey(room)) {
          ObjectNode m = message("sfu", room);
          m.put("restart", true);
          for (String p : peers.local(room)) {
            peers.send(room, p, m);
          }
        }
      }
    });
  }

  private Future<Void> start(int from) {
    int n = janus.size();
    for (int k = 0; k < n; k++) {
      int i = (from + k) % n;
      if (janus.get(i).lost()) {
        fresh(i);
      }
    }
    return connectFrom(from % n).recover(e -> from % n == 0 ? Future.failedFuture(e) : connectFrom(0));
  }

  private Room room(String name) {
    return rooms.computeIfAbsent(name, n -> new Room(n, "tandem-" + hmac("id", n).substring(0, 24), hmac("secret", n)));
  }

  private void refuse(String room, String peerId, String code, String message) {
    ObjectNode m = NODES.objectNode();
    m.put("type", "error");
    m.put("code", code);
    m.put("message", message);
    m.put("room", room);
    peers.send(room, peerId, m);
  }

  private static ObjectNode message(String type, String room) {
    ObjectNode m = NODES.objectNode();
    m.put("type", type);
    m.put("room", room);
    return m;
  }

  private static ArrayNode streams(List<String> feeds) {
    ArrayNode a = NODES.arrayNode();
    feeds.forEach(f -> a.addObject().put("feed", f));
    return a;
  }

  private String hmac(String purpose, String room) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(config.roomSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal((purpose + ":" + room).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
