package dev.tandem.gateway.docs;

import static dev.tandem.schemas.ShareDbErrors.MESSAGE_BADLY_FORMED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking ShareDB's wire protocol: handshake, fetch, subscribe,
 * unsubscribe (single and bulk), op (create, edit, delete) and ping. Every message is checked
 * as ShareDB's agent checks it; a bad one gets an error reply with ShareDB's code and the
 * connection stays open. Confined to the gateway's event loop.
 */
public final class Session {

  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String JSON0_URI = "http://sharejs.org/types/JSONv0";
  private static final long MAX_SAFE_INTEGER = 9007199254740991L;
  private static final int MAX_NAME = 512;

  private final ServerWebSocket socket;
  /** Who this connection's ops are recorded as made by ({@link Author}); null when nobody is named. */
  private final String user;
  private static final int MAX_PRESENCES = 16;

  private final DocHub hub;
  private final PresenceHub presence;
  private final GatewayConfig config;
  private final Set<DocKey> subscribed = new HashSet<>();
  private final RateLimit rate;
  private String src = UUID.randomUUID().toString().replace("-", "");
  private boolean closed;
  private volatile long lastHeard = System.currentTimeMillis();
  private Runnable onClose = () -> { };

  /**
   * A session for {@code socket}, created on the socket's event loop. Frames are read and parsed
   * there; everything else (the protocol, documents, presence) runs on {@code hubContext}, the
   * gateway's own event loop, in the order the frames came. Writes from the hub to the socket are
   * queued to its event loop and flushed together.
   */
  public Session(ServerWebSocket socket, Optional<String> user, DocHub hub, PresenceHub presence, GatewayConfig config,
      Context hubContext) {
    this.socket = socket;
    this.user = user.orElse(null);
    this.hub = hub;
    this.presence = presence;
    this.config = config;
    this.rate = new RateLimit(config.maxMessagesPerSecond());
    socket.textMessageHandler(text -> {
      lastHeard = System.currentTimeMillis();
      Object parsed = parse(text);
      hubContext.runOnContext(v -> onMessage(text.length(), parsed));
    });
    socket.binaryMessageHandler(b -> hubContext.runOnContext(v -> sendError(NODES.objectNode(),
        new OpError(MESSAGE_BADLY_FORMED, "Binary messages are not part of the protocol; send JSON text"))));
    socket.closeHandler(v -> hubContext.runOnContext(x -> close()));
    socket.pongHandler(b -> lastHeard = System.currentTimeMillis());
    socket.exceptionHandler(e -> LOG.debug("socket error", e));
    send(init("init"));
  }

  /** The frame as a JSON tree, or the message of why it is not JSON. */
  private static Object parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      return "Message is not JSON: " + brief(e.getMessage());
    }
  }

  /** The client id ops from this connection carry. */
  String src() {
    return src;
  }

  private ObjectNode init(String action) {
    ObjectNode m = NODES.objectNode();
    m.put("a", action);
    m.put("protocol", 1);
    m.put("protocolMinor", 2);
    m.put("id", src);
    m.put("type", JSON0_URI);
    return m;
  }

  /** Runs {@code action} once the connection is closed. */
  public void whenClosed(Runnable action) {
    onClose = action;
  }

  /**
   * Keeps the connection honest: pings it, or closes it when it has been silent (no message, no
   * pong) for longer than {@code ttlMillis}, which takes its presence away. Returns false once
   * closed.
   */
  public boolean keepAlive(long ttlMillis) {
    if (closed) {
      return false;
    }
    if (System.currentTimeMillis() - lastHeard > ttlMillis) {
      LOG.info("closing connection {}: silent for more than {} ms", src, ttlMillis);
      close();
      socket.close((short) 1001, "silent for too long");
      return false;
    }
    socket.writePing(io.vertx.core.buffer.Buffer.buffer("tandem"));
    return true;
  }

  void onMessage(int length, Object parsed) {
    if (closed) {
      return;
    }
    if (parsed instanceof String why) {
      sendError(NODES.objectNode(), new OpError(MESSAGE_BADLY_FORMED, why));
      return;
    }
    if (!(parsed instanceof ObjectNode request)) {
      sendError(NODES.objectNode(), new OpError(MESSAGE_BADLY_FORMED, "Received non-object message"));
      return;
    }
    if (length > config.maxMessageBytes()) {
      sendError(request, new OpError(ShareDbErrors.TOO_LARGE, "Message of " + length
          + " characters is over the limit of " + config.maxMessageBytes()));
      return;
    }
    if (!rate.take()) {
      sendError(request, new OpError(ShareDbErrors.RATE_LIMITED, "More than " + config.maxMessagesPerSecond()
          + " messages per second; slow down"));
      return;
    }
    try {
      handle(request);
    } catch (BadRequest e) {
      sendError(request, new OpError(e.code, e.getMessage()));
    }
  }

  private void handle(ObjectNode request) {
    String action = request.path("a").asText("");
    switch (action) {
      case "hs" -> handshake(request);
      case "f" -> fetch(request, docKey(request), version(request, "v"));
      case "s" -> subscribe(request, docKey(request), version(request, "v"));
      case "u" -> unsubscribe(request, docKey(request));
      case "bf", "bs" -> bulk(request, action.equals("bs"));
      case "bu" -> bulkUnsubscribe(request);
      case "op" -> op(request);
      case "pp" -> send(reply(request));
      case "qf", "qs", "qu" -> throw new BadRequest("ERR_DATABASE_METHOD_NOT_IMPLEMENTED", "Queries are not supported");
      case "nf" -> snapshotFetch(request, docKey(request), version(request, "v"), null);
      case "nt" -> snapshotFetch(request, docKey(request), null, timestamp(request));
      case "p" -> presence(request);
      case "ps" -> {
        String ch = channel(request);
        // The reply first: the client takes presence of others only once it is subscribed.
        send(presenceReply(request, ch));
        presence.subscribe(this, ch);
      }
      case "pu" -> {
        String ch = channel(request);
        presence.unsubscribe(this, ch);
        send(presenceReply(request, ch));
      }
      case "pr" -> presence.request(this, channel(request));
      default -> throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid or unknown message");
    }
  }

  private void handshake(ObjectNode request) {
    JsonNode protocol = request.get("protocol");
    if (protocol != null && !protocol.isNull() && !protocol.isNumber() && !protocol.isTextual()) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid protocol");
    }
    JsonNode id = request.get("id");
    if (id != null && id.isTextual() && !id.textValue().isEmpty()) {
      if (id.textValue().length() > MAX_NAME) {
        throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid client id");
      }
      src = id.textValue();
    }
    send(init("hs"));
  }

  private void fetch(ObjectNode request, DocKey key, Long v) {
    hub.open(key, view -> {
      ObjectNode reply = catchUp(request, view, v);
      if (reply != null) {
        send(reply);
      }
    }, error -> sendError(request, error));
  }

  private void subscribe(ObjectNode request, DocKey key, Long v) {
    hub.open(key, view -> {
      if (closed) {
        return;
      }
      ObjectNode reply = catchUp(request, view, v);
      if (reply != null) {
        hub.subscribe(this, view);
        subscribed.add(key);
        send(reply);
      }
    }, error -> sendError(request, error));
  }

  /**
   * The reply to a fetch or subscribe: the snapshot when no version is given; otherwise the ops
   * since {@code v} are sent first (as ShareDB does) and the reply carries no data. Null, with
   * an error sent, when those ops are no longer kept.
   */
  private ObjectNode catchUp(ObjectNode request, DocView view, Long v) {
    ObjectNode reply = reply(request);
    if (v == null) {
      reply.set("data", view.snapshotData());
    } else if (!hub.sendOps(this, view, v, view.version)) {
      sendError(request, tooOld(v, view));
      return null;
    }
    return reply;
  }

  private static OpError tooOld(long v, DocView view) {
    return new OpError(ShareDbErrors.SUBMIT_TRANSFORM_OPS_NOT_FOUND, "Ops from version " + v
        + " are no longer kept here (from " + view.windowStart() + "); fetch the document without a version");
  }

  private void unsubscribe(ObjectNode request, DocKey key) {
    hub.unsubscribe(this, key);
    subscribed.remove(key);
    send(reply(request));
  }

  /** bf/bs: {@code b} is a list of ids (snapshots wanted) or an object id to version (ops wanted). */
  private void bulk(ObjectNode request, boolean subscribe) {
    String c = name(request, "c", "Invalid collection");
    JsonNode b = request.get("b");
    if (b == null || !(b.isArray() || b.isObject())) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid bulk subscribe data");
    }
    List<String> ids = new ArrayList<>();
    List<Long> versions = new ArrayList<>();
    if (b.isArray()) {
      for (JsonNode id : b) {
        ids.add(checkName(id, "Invalid id"));
        versions.add(null);
      }
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        ids.add(checkName(NODES.textNode(e.getKey()), "Invalid id"));
        versions.add(versionOf(e.getValue()));
      }
    }
    ObjectNode data = NODES.objectNode();
    int[] left = {ids.size()};
    Runnable done = () -> {
      ObjectNode reply = reply(request);
      if (b.isArray()) {
        reply.set("data", data);
      } else {
        reply.set("b", b);
      }
      send(reply);
    };
    if (ids.isEmpty()) {
      done.run();
      return;
    }
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      Long v = versions.get(i);
      DocKey key = key(c, id);
      hub.open(key, view -> {
        if (v == null) {
          data.set(id, view.snapshotData());
        } else {
          hub.sendOps(this, view, v, view.version);
        }
        if (subscribe) {
          hub.subscribe(this, view);
          subscribed.add(key);
        }
        if (--left[0] == 0) {
          done.run();
        }
      }, error -> {
        data.putObject(id).putObject("error").put("code", error.code()).put("message", error.message());
        if (--left[0] == 0) {
          done.run();
        }
      });
    }
  }

  private void bulkUnsubscribe(ObjectNode request) {
    String c = name(request, "c", "Invalid collection");
    JsonNode b = request.get("b");
    if (b == null || !b.isArray()) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid bulk subscribe data");
    }
    for (JsonNode id : b) {
      DocKey key = key(c, checkName(id, "Invalid id"));
      hub.unsubscribe(this, key);
      subscribed.remove(key);
    }
    send(reply(request));
  }

  private void op(ObjectNode request) {
    DocKey key = docKey(request);
    Long v = version(request, "v");
    JsonNode seqNode = request.get("seq");
    if (seqNode != null && !seqNode.isNull() && !seqNode.isNumber()) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid seq");
    }
    if (seqNode == null || seqNode.isNull() || !seqNode.canConvertToExactIntegral() || seqNode.asLong() < 0) {
      throw new BadRequest(ShareDbErrors.OT_OP_BADLY_FORMED, "seq must be a whole number >= 0");
    }
    long seq = seqNode.asLong();
    if (seq >= MAX_SAFE_INTEGER) {
      throw new BadRequest(ShareDbErrors.CONNECTION_SEQ_INTEGER_OVERFLOW,
          "Connection seq has exceeded the max safe integer, maybe from being open for too long");
    }
    String opSrc = src;
    JsonNode srcNode = request.get("src");
    if (srcNode != null && !srcNode.isNull()) {
      opSrc = checkName(srcNode, "src must be a string");
    }
    SubmittedOp op = submittedOp(request, key, opSrc, seq, v);
    hub.submit(this, op, error -> sendError(request, error));
  }

  private SubmittedOp submittedOp(ObjectNode request, DocKey key, String opSrc, long seq, Long v) {
    long now = System.currentTimeMillis();
    String gw = config.instanceId();
    if (request.has("op")) {
      return new SubmittedOp(1, "op", key.collection(), key.id(), opSrc, seq, v, request.get("op"), null, null, gw, null,
          user, now);
    }
    JsonNode create = request.get("create");
    if (create != null && !create.isNull() && !(create.isBoolean() && !create.booleanValue())) {
      if (!create.isObject()) {
        throw new BadRequest(ShareDbErrors.OT_OP_BADLY_FORMED, "Create data must be an object");
      }
      JsonNode type = create.get("type");
      if (type == null || !type.isTextual() || type.textValue().isEmpty()) {
        throw new BadRequest(ShareDbErrors.OT_OP_BADLY_FORMED, "Missing create type");
      }
      return new SubmittedOp(1, "create", key.collection(), key.id(), opSrc, seq, v, null,
          new CreateData(type.textValue(), create.get("data")), null, gw, null, user, now);
    }
    JsonNode del = request.get("del");
    if (del != null && !del.isNull()) {
      if (!del.isBoolean() || !del.booleanValue()) {
        throw new BadRequest(ShareDbErrors.OT_OP_BADLY_FORMED, "del value must be true");
      }
      return new SubmittedOp(1, "del", key.collection(), key.id(), opSrc, seq, v, null, null, true, gw, null, user, now);
    }
    throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid op message");
  }

  /**
   * A presence value: {@code {a:'p', ch, id, p, pv}}, and for document presence {@code c, d, v, t}.
   * Acknowledged at once with {@code {a:'p', ch, id, pv}}; delivered to the others coalesced.
   */
  private void presence(ObjectNode request) {
    String ch = channel(request);
    String id = checkName(request.get("id"), "Invalid presence id");
    JsonNode pv = request.get("pv");
    if (pv == null || !pv.isNumber() || !pv.canConvertToExactIntegral() || pv.asLong() < 0) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid presence version");
    }
    if (!request.has("p")) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Presence value missing");
    }
    JsonNode p = request.get("p");
    int size = p.toString().length();
    if (size > config.maxPresenceBytes()) {
      throw new BadRequest(ShareDbErrors.TOO_LARGE, "Presence value of " + size + " characters is over the limit of "
          + config.maxPresenceBytes());
    }
    String c = null;
    String d = null;
    Long v = null;
    String t = null;
    if (request.has("c") || request.has("d")) {
      DocKey key = docKey(request);
      c = key.collection();
      d = key.id();
      if (!ch.equals(c + "." + d)) {
        throw new BadRequest(MESSAGE_BADLY_FORMED, "Presence channel " + ch + " is not that of document " + c + "." + d);
      }
      if (!subscribed.contains(key)) {
        throw new BadRequest(ShareDbErrors.PRESENCE_DOC_NOT_SUBSCRIBED,
            "Cannot submit presence for " + c + "/" + d + ": subscribe to the document first");
      }
      DocView view = hub.ready(key);
      if (view != null && view.type == null && !p.isNull()) {
        throw new BadRequest(ShareDbErrors.DOC_DOES_NOT_EXIST, "Cannot submit presence. Document has not been created");
      }
      JsonNode type = request.get("t");
      if (type != null && !type.isNull()) {
        if (!type.isTextual() || dev.tandem.ot.OtTypes.byNameOrUri(type.textValue()).isEmpty()) {
          throw new BadRequest(ShareDbErrors.DOC_TYPE_NOT_RECOGNIZED, "Unknown type");
        }
        t = type.textValue();
      }
      v = version(request, "v");
      if (v != null && view != null && v > view.version) {
        v = view.version;
      }
    }
    if (!p.isNull() && !presence.owns(this, ch, id) && presence.localCount(this) >= MAX_PRESENCES) {
      throw new BadRequest(ShareDbErrors.TOO_LARGE, "More than " + MAX_PRESENCES + " presences on one connection");
    }
    presence.submit(this, ch, new dev.tandem.schemas.PresenceRecord.Entry(config.instanceId(), id, src,
        p.isNull() ? null : p, pv.asLong(), c, d, v, t));
    ObjectNode ack = NODES.objectNode();
    ack.put("a", "p");
    ack.put("ch", ch);
    ack.put("id", id);
    ack.set("pv", pv);
    send(ack);
  }

  /**
   * ShareDB's fetchSnapshot and fetchSnapshotByTimestamp, answered from the event log: the
   * nearest snapshot at or before, plus the ops after it.
   */
  private void snapshotFetch(ObjectNode request, DocKey key, Long v, Long ts) {
    hub.history().snapshot(key, v, ts).onComplete(done -> {
      if (closed) {
        return;
      }
      if (done.failed()) {
        Throwable e = done.cause();
        String code = e instanceof dev.tandem.history.HistoryException h
            ? switch (h.kind()) {
              case PAST_THE_END -> ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT;
              case UNREACHABLE -> ShareDbErrors.SERVICE_UNAVAILABLE;
              default -> ShareDbErrors.UNKNOWN_ERROR;
            }
            : ShareDbErrors.SERVICE_UNAVAILABLE;
        sendError(request, new OpError(code, brief(e.getMessage())));
        return;
      }
      dev.tandem.history.DocHistory.Snapshot s = done.result();
      ObjectNode reply = reply(request);
      reply.put("v", s.v());
      if (s.type() == null) {
        reply.putNull("type");
      } else {
        reply.put("type", s.type());
        reply.set("data", s.data());
      }
      send(reply);
    });
  }

  private static Long timestamp(ObjectNode request) {
    JsonNode ts = request.get("ts");
    if (ts == null || ts.isNull()) {
      return null;
    }
    if (!ts.isNumber() || !ts.canConvertToExactIntegral()) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid timestamp");
    }
    return ts.asLong();
  }

  private static String channel(ObjectNode request) {
    JsonNode n = request.get("ch");
    if (n == null || !n.isTextual() || n.textValue().isEmpty() || n.textValue().length() > 2 * MAX_NAME + 1) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid presence channel");
    }
    return n.textValue();
  }

  private static ObjectNode presenceReply(ObjectNode request, String ch) {
    ObjectNode m = NODES.objectNode();
    m.set("a", request.get("a"));
    m.put("ch", ch);
    copy(request, m, "seq");
    return m;
  }

  private DocKey docKey(ObjectNode request) {
    return key(name(request, "c", "Invalid collection"), name(request, "d", "Invalid id"));
  }

  private static DocKey key(String c, String d) {
    if (c.indexOf('/') >= 0) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid collection: a collection name cannot contain '/'");
    }
    return new DocKey(c, d);
  }

  private static String name(ObjectNode request, String field, String error) {
    return checkName(request.get(field), error);
  }

  private static String checkName(JsonNode n, String error) {
    if (n == null || !n.isTextual() || n.textValue().isEmpty() || n.textValue().length() > MAX_NAME
        || n.textValue().equals("__proto__") || n.textValue().equals("constructor")) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, error);
    }
    return n.textValue();
  }

  private static Long version(ObjectNode request, String field) {
    return versionOf(request.get(field));
  }

  private static Long versionOf(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber() || !n.canConvertToExactIntegral() || n.asLong() < 0) {
      throw new BadRequest(MESSAGE_BADLY_FORMED, "Invalid version");
    }
    return n.asLong();
  }

  /** The reply to {@code request} as ShareDB shapes it: the action, and c/d (or b) echoed. */
  private static ObjectNode reply(ObjectNode request) {
    ObjectNode m = NODES.objectNode();
    m.set("a", request.get("a"));
    if (request.has("id")) {
      m.set("id", request.get("id"));
    } else {
      copy(request, m, "c");
      copy(request, m, "d");
    }
    return m;
  }

  private static void copy(ObjectNode from, ObjectNode to, String field) {
    if (from.has(field)) {
      to.set(field, from.get(field));
    }
  }

  /** Sends {@code request}'s identifying fields back with an error, as ShareDB does (bulky fields left out). */
  void sendError(ObjectNode request, OpError error) {
    ObjectNode m = request.deepCopy();
    m.remove(List.of("op", "create", "data", "b", "p"));
    m.putObject("error").put("code", error.code()).put("message", error.message());
    send(m);
  }

  void send(ObjectNode message) {
    sendText(message.toString());
  }

  void sendText(String message) {
    if (!closed) {
      socket.writeTextMessage(message);
    }
  }

  /** Where a queued presence value belongs: one value per channel and presence id. */
  private record PresenceKey(String ch, String id) {}

  /** Presence for this client waiting for the hub's next delivery tick; the latest value per id. */
  private final Map<PresenceKey, SharedText> presenceOutbox = new LinkedHashMap<>();

  /** Holds presence for the next {@link #flushPresence}; true when it replaced a value not yet sent. */
  boolean queuePresence(String ch, String id, SharedText message) {
    return !closed && presenceOutbox.put(new PresenceKey(ch, id), message) != null;
  }

  /**
   * Writes the presence held as one batch of finished frames, straight to the socket's channel:
   * one buffer and one write for everything since the last tick, where Vert.x would queue, frame
   * and encode each message on its own. Presence may overtake an op queued through Vert.x, which
   * ShareDB clients handle (a value names its version and is transformed or held); ops and acks
   * never take this path, so their order is untouched. Returns false, keeping the values, when
   * the socket is not draining: a slow client then gets only the latest value of each presence,
   * and what it holds stays bounded. The channel comes from Vert.x's internal
   * {@code WebSocketInternal}; without it, the values go through Vert.x one by one.
   */
  boolean flushPresence() {
    if (closed || presenceOutbox.isEmpty()) {
      presenceOutbox.clear();
      return true;
    }
    ChannelHandlerContext channel = socket instanceof WebSocketInternal ws ? ws.channelHandlerContext() : null;
    if (channel == null) {
      presenceOutbox.values().forEach(this::send);
      presenceOutbox.clear();
      return true;
    }
    if (!channel.channel().isWritable()) {
      return false;
    }
    int size = 0;
    for (SharedText t : presenceOutbox.values()) {
      size += t.wireLength();
    }
    ByteBuf batch = channel.alloc().buffer(size);
    presenceOutbox.values().forEach(t -> t.writeTo(batch));
    presenceOutbox.clear();
    channel.writeAndFlush(batch, channel.voidPromise());
    return true;
  }

  /** Forgets presence held for a channel the client no longer subscribes to. */
  void dropPresence(String ch) {
    presenceOutbox.keySet().removeIf(k -> k.ch().equals(ch));
  }

  /** A message that goes to many sockets, encoded once for all of them. */
  void send(SharedText message) {
    if (!closed) {
      socket.writeFrame(message.frame());
    }
  }

  private void close() {
    if (!closed) {
      closed = true;
      presenceOutbox.clear();
      hub.closed(this);
      presence.closed(this);
      onClose.run();
      subscribed.clear();
    }
  }

  private static String brief(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) : s;
  }

  /** A request that breaks the protocol, with the ShareDB error code to answer it with. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String code;

    BadRequest(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** A token bucket: {@code perSecond} messages a second, bursts of twice that. */
  static final class RateLimit {
    private final double perMilli;
    private final double capacity;
    private double tokens;
    private long last = System.nanoTime();

    RateLimit(int perSecond) {
      this.perMilli = perSecond / 1000.0;
      this.capacity = perSecond * 2.0;
      this.tokens = capacity;
    }

    boolean take() {
      long now = System.nanoTime();
      tokens = Math.min(capacity, tokens + (now - last) / 1_000_000.0 * perMilli);
      last = now;
      if (tokens >= 1) {
        tokens--;
        return true;
      }
      return false;
    }
  }
}
