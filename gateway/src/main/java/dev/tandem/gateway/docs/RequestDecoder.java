package dev.tandem.gateway.docs;

import static dev.tandem.schemas.ShareDbErrors.MESSAGE_BADLY_FORMED;
import static dev.tandem.schemas.ShareDbErrors.OT_OP_BADLY_FORMED;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.gateway.docs.Request.BulkItem;
import dev.tandem.ot.OtTypes;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * From a frame to a {@link Request} or the protocol error for it, with no state and no I/O:
 * ShareDB's request checks ({@code Agent._checkRequest}, {@code createClientOp}, {@code
 * ot.checkOp}) in ShareDB's order and with ShareDB's codes and texts, plus the gateway's own
 * (names within a length cap and free of lone surrogates, versions whole and within
 * JavaScript's safe integers, numbers finite, presence values within a size and depth).
 * Thread-safe.
 */
public final class RequestDecoder {

  /** The limits the decoder enforces. */
  public record Rules(int maxMessageChars, int maxNameLength, int maxPresenceChars, int maxPresenceDepth) {}

  static final long MAX_SAFE_INTEGER = 9007199254740991L;
  static final String QUERIES_NOT_SUPPORTED = "ERR_DATABASE_METHOD_NOT_IMPLEMENTED";
  /** How deep a locked path may be: a whiteboard shape or a card is a few keys down. */
  static final int MAX_LOCK_PATH = 32;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The own properties of JavaScript's Object.prototype, which ShareDB refuses as names. */
  private static final Set<String> DANGEROUS = Set.of("constructor", "__defineGetter__", "__defineSetter__",
      "hasOwnProperty", "__lookupGetter__", "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable", "toString",
      "valueOf", "__proto__", "toLocaleString");
  private static final Set<String> DOC_ACTIONS = Set.of("op", "f", "s", "u", "nf", "nt", "p", "lock", "unlock", "locks");
  private static final List<String> ECHOED = List.of("a", "id", "c", "d", "v", "seq", "src", "ch", "pv");
  /** Echoed {@code b} (so the sharedb client can find the callbacks of a failed bulk request) up to this size. */
  private static final int MAX_ECHOED_BULK_CHARS = 64 * 1024;

  private final Rules rules;

  public RequestDecoder(Rules rules) {
    this.rules = rules;
  }

  /** A text frame. */
  public Decoded decode(String text) {
    JsonNode tree;
    try {
      tree = JSON.readTree(text);
    } catch (StreamConstraintsException e) {
      // Jackson's own bounds (nesting over 1,000 levels, a number of thousands of digits).
      return invalid(NODES.objectNode(), ShareDbErrors.TOO_LARGE, "Message nests too deeply or holds too long a value");
    } catch (Exception e) {
      // Jackson's message names parser options and echoes input: the client learns only what it did.
      return invalid(NODES.objectNode(), MESSAGE_BADLY_FORMED, "Message is not JSON");
    }
    return decode(tree, text.length());
  }

  /** A frame already parsed (on the socket's event loop), {@code length} characters long. */
  public Decoded decode(JsonNode tree, int length) {
    if (!(tree instanceof ObjectNode request)) {
      return invalid(NODES.objectNode(), MESSAGE_BADLY_FORMED, "Received non-object message");
    }
    ObjectNode echo = echoOf(request);
    if (length > rules.maxMessageChars()) {
      return invalid(echo, ShareDbErrors.TOO_LARGE, "Message of " + length + " characters is over the limit of "
          + rules.maxMessageChars());
    }
    try {
      return new Decoded.Valid(request, echo, decodeChecked(request));
    } catch (Bad e) {
      return invalid(echo, e.code, e.getMessage());
    }
  }

  /** A frame that could not be read at all (a binary frame, say). */
  public static Decoded unreadable(String why) {
    return invalid(NODES.objectNode(), MESSAGE_BADLY_FORMED, why);
  }

  private static Decoded invalid(ObjectNode echo, String code, String message) {
    return new Decoded.Invalid(echo, new OpError(code, message));
  }

  private Request decodeChecked(ObjectNode r) {
    JsonNode a = r.get("a");
    String action = a != null && a.isTextual() ? a.textValue() : "";
    checkRequest(r, action);
    return switch (action) {
      case "hs" -> new Request.Handshake(clientId(r));
      case "f" -> new Request.Fetch(docKey(r), version(r.get("v")));
      case "s" -> new Request.Subscribe(docKey(r), version(r.get("v")));
      case "u" -> new Request.Unsubscribe(docKey(r));
      case "bf", "bs" -> bulk(r, action.equals("bs"));
      case "bu" -> bulkUnsubscribe(r);
      case "op" -> submit(r);
      case "nf" -> new Request.SnapshotAtVersion(docKey(r), version(r.get("v")));
      case "nt" -> new Request.SnapshotAtTime(docKey(r), timestamp(r.get("ts")));
      case "p" -> presence(r);
      case "ps" -> new Request.PresenceSubscribe(channel(r));
      case "pu" -> new Request.PresenceUnsubscribe(channel(r));
      case "pr" -> new Request.PresenceRequest(channel(r));
      case "pp" -> new Request.Ping();
      case "auth" -> auth(r);
      case "lock" -> lock(r);
      case "unlock" -> new Request.Unlock(docKey(r), lockId(r));
      case "locks" -> new Request.WatchLocks(docKey(r));
      case "qf", "qs", "qu" -> {
        if (!r.path("id").isNumber()) {
          throw new Bad(MESSAGE_BADLY_FORMED, "Missing query ID");
        }
        throw new Bad(QUERIES_NOT_SUPPORTED, "Queries are not supported");
      }
      default -> throw new Bad(MESSAGE_BADLY_FORMED, "Invalid or unknown message");
    };
  }

  /** ShareDB's {@code _checkRequest}, in its order. */
  private void checkRequest(ObjectNode r, String action) {
    if (DOC_ACTIONS.contains(action)) {
      if (present(r, "d") && invalidName(r.get("d"))) {
        throw new Bad(MESSAGE_BADLY_FORMED, "Invalid id");
      }
      if (action.equals("nf") || action.equals("nt")) {
        if (!present(r, "c")) {
          throw new Bad(MESSAGE_BADLY_FORMED, "Invalid collection");
        }
        if (!present(r, "d")) {
          throw new Bad(MESSAGE_BADLY_FORMED, "Invalid id");
        }
      }
      version(r.get("v"));
      if (present(r, "ts") && !r.get("ts").isNumber()) {
        throw new Bad(MESSAGE_BADLY_FORMED, "Invalid timestamp");
      }
      if (action.equals("p")) {
        if (invalidName(r.get("id"))) {
          throw new Bad(MESSAGE_BADLY_FORMED, "Invalid presence ID");
        }
        if (!present(r, "pv") || invalidVersion(r.get("pv"))) {
          throw new Bad(MESSAGE_BADLY_FORMED, "Invalid presence version");
        }
      }
    } else if (action.equals("hs")) {
      if (invalidProtocol(r.get("protocol")) || invalidProtocol(r.get("protocolMinor"))) {
        throw new Bad(MESSAGE_BADLY_FORMED, "Invalid protocol");
      }
    }
    if (present(r, "c") && invalidName(r.get("c"))) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid collection");
    }
    if (present(r, "ch") && invalidName(r.get("ch"))) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid presence channel");
    }
    if (present(r, "seq") && !r.get("seq").isNumber()) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid seq");
    }
  }

  private Optional<String> clientId(ObjectNode r) {
    JsonNode id = r.get("id");
    if (id == null || id.isNull() || id.isBoolean() && !id.booleanValue() || id.isTextual() && id.textValue().isEmpty()) {
      return Optional.empty();
    }
    if (!id.isTextual() || id.textValue().length() > rules.maxNameLength() || loneSurrogate(id.textValue())) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid client id");
    }
    return Optional.of(id.textValue());
  }

  private Request bulk(ObjectNode r, boolean subscribe) {
    String c = collection(r);
    JsonNode b = r.get("b");
    if (b == null || !(b.isArray() || b.isObject())) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid bulk subscribe data");
    }
    List<BulkItem> items = new ArrayList<>(b.size());
    if (b.isArray()) {
      for (JsonNode id : b) {
        items.add(new BulkItem(name(id, "Invalid id"), Optional.empty()));
      }
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        String id = name(NODES.textNode(e.getKey()), "Invalid id");
        items.add(new BulkItem(id, version(e.getValue())));
      }
    }
    return new Request.Bulk(c, List.copyOf(items), b.isObject(), subscribe);
  }

  private Request bulkUnsubscribe(ObjectNode r) {
    String c = collection(r);
    JsonNode b = r.get("b");
    if (b == null || !(b.isArray() || b.isObject())) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid bulk subscribe data");
    }
    List<String> ids = new ArrayList<>(b.size());
    if (b.isArray()) {
      for (JsonNode id : b) {
        ids.add(name(id, "Invalid id"));
      }
    } else {
      b.fieldNames().forEachRemaining(id -> ids.add(name(NODES.textNode(id), "Invalid id")));
    }
    return new Request.BulkUnsubscribe(c, List.copyOf(ids));
  }

  /** ShareDB's {@code createClientOp} and {@code ot.checkOp}. */
  private Request submit(ObjectNode r) {
    DocKey key = docKey(r);
    Optional<Long> v = version(r.get("v"));
    JsonNode seqNode = r.get("seq");
    if (!present(r, "seq") || !seqNode.canConvertToExactIntegral() || seqNode.asDouble() < 0) {
      throw new Bad(OT_OP_BADLY_FORMED, "seq must be a whole number >= 0");
    }
    if (seqNode.asDouble() >= MAX_SAFE_INTEGER) {
      throw new Bad(ShareDbErrors.CONNECTION_SEQ_INTEGER_OVERFLOW,
          "Connection seq has exceeded the max safe integer, maybe from being open for too long");
    }
    Request.OpBody body = opBody(r);
    Optional<String> src = Optional.empty();
    JsonNode s = r.get("src");
    if (present(r, "src")) {
      if (!s.isTextual()) {
        throw new Bad(OT_OP_BADLY_FORMED, "src must be a string");
      }
      if (!s.textValue().isEmpty()) {
        if (s.textValue().length() > rules.maxNameLength() || loneSurrogate(s.textValue())) {
          throw new Bad(OT_OP_BADLY_FORMED, "Invalid src");
        }
        src = Optional.of(s.textValue());
      }
    }
    return new Request.Submit(key, v, seqNode.asLong(), src, body);
  }

  private Request.OpBody opBody(ObjectNode r) {
    if (r.has("op")) {
      requireFinite(r.get("op"));
      return new Request.Edit(r.get("op"));
    }
    JsonNode create = r.get("create");
    if (truthy(create)) {
      if (!create.isObject()) {
        throw new Bad(OT_OP_BADLY_FORMED, "Create data must be an object");
      }
      JsonNode type = create.get("type");
      if (type == null || !type.isTextual()) {
        throw new Bad(OT_OP_BADLY_FORMED, "Missing create type");
      }
      if (OtTypes.byNameOrUri(type.textValue()).isEmpty()) {
        throw new Bad(ShareDbErrors.DOC_TYPE_NOT_RECOGNIZED, "Unknown type");
      }
      JsonNode data = create.get("data");
      if (data != null) {
        requireFinite(data);
      }
      return new Request.Create(type.textValue(), Optional.ofNullable(data).filter(d -> !d.isNull()));
    }
    JsonNode del = r.get("del");
    if (truthy(del)) {
      if (!(del.isBoolean() && del.booleanValue())) {
        throw new Bad(OT_OP_BADLY_FORMED, "del value must be true");
      }
      return new Request.Delete();
    }
    throw new Bad(MESSAGE_BADLY_FORMED, "Invalid op message");
  }

  private Request presence(ObjectNode r) {
    String ch = channel(r);
    String id = name(r.get("id"), "Invalid presence ID");
    if (!r.has("p")) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Presence value missing");
    }
    JsonNode p = r.get("p");
    Shape shape = Shape.of(p, rules.maxPresenceDepth());
    if (shape.depth() > rules.maxPresenceDepth()) {
      throw new Bad(ShareDbErrors.TOO_LARGE, "Presence value nested deeper than " + rules.maxPresenceDepth() + " levels");
    }
    if (!shape.finite()) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Numbers must be finite");
    }
    int size = p.toString().length();
    if (size > rules.maxPresenceChars()) {
      throw new Bad(ShareDbErrors.TOO_LARGE, "Presence value of " + size + " characters is over the limit of "
          + rules.maxPresenceChars());
    }
    Optional<Request.PresenceDoc> doc = Optional.empty();
    if (present(r, "c")) {
      String c = collection(r);
      Optional<String> d = present(r, "d") ? Optional.of(name(r.get("d"), "Invalid id")) : Optional.empty();
      if (d.isPresent() && !ch.equals(c + "." + d.get())) {
        throw new Bad(MESSAGE_BADLY_FORMED, "Presence channel " + ch + " is not that of document " + c + "." + d.get());
      }
      Optional<String> t = Optional.empty();
      JsonNode type = r.get("t");
      if (truthy(type)) {
        if (!type.isTextual() || OtTypes.byNameOrUri(type.textValue()).isEmpty()) {
          throw new Bad(ShareDbErrors.TYPE_DOES_NOT_SUPPORT_PRESENCE, "Type does not support presence: " + type.asText());
        }
        t = Optional.of(type.textValue());
      }
      doc = Optional.of(new Request.PresenceDoc(c, d, version(r.get("v")), t));
    }
    return new Request.PresenceSubmit(ch, id, p, r.get("pv").asLong(), doc);
  }

  /**
   * {@code {"a":"lock","c","d","id","v","p"|"r","ttl"}}: exactly one of a json0 path {@code p}
   * (keys and indexes, at most {@link #MAX_LOCK_PATH} deep) and a range {@code r = [start, end]};
   * ot-service checks it against the document.
   */
  private Request lock(ObjectNode r) {
    DocKey key = docKey(r);
    String id = lockId(r);
    ObjectNode target = NODES.objectNode();
    JsonNode p = r.get("p");
    JsonNode range = r.get("r");
    if ((p == null) == (range == null)) {
      throw new Bad(ShareDbErrors.LOCK_BADLY_FORMED, "A lock covers a path (p) or a text range (r), one of the two");
    }
    if (p != null) {
      if (!p.isArray() || p.size() > MAX_LOCK_PATH) {
        throw new Bad(ShareDbErrors.LOCK_BADLY_FORMED, "p must be a json0 path of at most " + MAX_LOCK_PATH + " keys");
      }
      for (JsonNode k : p) {
        if (!(k.isTextual() && k.textValue().length() <= rules.maxNameLength() || wholeNumber(k))) {
          throw new Bad(ShareDbErrors.LOCK_BADLY_FORMED, "p holds a key that is neither a string nor an index >= 0");
        }
      }
      target.set("p", p);
    } else {
      if (!range.isArray() || range.size() != 2 || !wholeNumber(range.get(0)) || !wholeNumber(range.get(1))
          || range.get(0).asLong() > range.get(1).asLong()) {
        throw new Bad(ShareDbErrors.LOCK_BADLY_FORMED, "r must be [start, end], 0 <= start <= end");
      }
      target.set("r", range);
    }
    JsonNode ttl = r.get("ttl");
    if (ttl != null) {
      if (!ttl.canConvertToExactIntegral() || ttl.asLong() < 1000 || ttl.asLong() > 60_000) {
        throw new Bad(ShareDbErrors.LOCK_BADLY_FORMED, "ttl must be a whole number of milliseconds from 1000 to 60000");
      }
      target.put("ttl", ttl.asLong());
    }
    return new Request.Lock(key, id, version(r.get("v")), target);
  }

  private static String lockId(ObjectNode r) {
    JsonNode id = r.get("id");
    if (id == null || !id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > 64) {
      throw new Bad(ShareDbErrors.LOCK_BADLY_FORMED, "A lock id is a string of 1 to 64 characters");
    }
    return id.textValue();
  }

  private static boolean wholeNumber(JsonNode n) {
    return n != null && n.canConvertToExactIntegral() && n.canConvertToInt() && n.asInt() >= 0;
  }

  private DocKey docKey(ObjectNode r) {
    String c = collection(r);
    return new DocKey(c, name(r.get("d"), "Invalid id"));
  }

  private String collection(ObjectNode r) {
    String c = name(r.get("c"), "Invalid collection");
    if (c.indexOf('/') >= 0) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid collection: a collection name cannot contain '/'");
    }
    return c;
  }

  private String channel(ObjectNode r) {
    // A channel is a collection and an id joined by '.', so it may be twice a name long.
    JsonNode ch = r.get("ch");
    if (ch == null || !ch.isTextual() || ch.textValue().length() > 2 * rules.maxNameLength() + 1
        || invalidName(ch)) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid presence channel");
    }
    return ch.textValue();
  }

  private String name(JsonNode n, String error) {
    if (invalidName(n) || n.textValue().length() > rules.maxNameLength()) {
      throw new Bad(MESSAGE_BADLY_FORMED, error);
    }
    return n.textValue();
  }

  /** ShareDB's {@code isInvalidName}, and empty names and lone surrogates (which Kafka keys cannot carry). */
  private boolean invalidName(JsonNode n) {
    return n == null || !n.isTextual() || n.textValue().isEmpty() || DANGEROUS.contains(n.textValue())
        || n.textValue().length() > 2 * rules.maxNameLength() + 1 || loneSurrogate(n.textValue());
  }

  /** {@code {"a":"auth","token":T}}: a fresh token, a string of at most the verifier's length. */
  private static Request auth(ObjectNode r) {
    JsonNode t = r.get("token");
    if (t == null || !t.isTextual() || t.textValue().isEmpty()
        || t.textValue().length() > dev.tandem.access.TokenVerifier.MAX_TOKEN_CHARS) {
      throw new Bad(MESSAGE_BADLY_FORMED, "auth takes a token: a string of 1 to "
          + dev.tandem.access.TokenVerifier.MAX_TOKEN_CHARS + " characters");
    }
    return new Request.Auth(t.textValue());
  }

  static boolean loneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (Character.isHighSurrogate(ch)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(ch)) {
        return true;
      }
    }
    return false;
  }

  /** A version: absent or null, or a whole number from 0 to 2^53 - 1. */
  private static Optional<Long> version(JsonNode n) {
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (invalidVersion(n)) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid version");
    }
    return Optional.of(n.asLong());
  }

  private static boolean invalidVersion(JsonNode n) {
    return n != null && !n.isNull() && (!n.isNumber() || !n.canConvertToExactIntegral() || n.asDouble() < 0
        || n.asDouble() > MAX_SAFE_INTEGER);
  }

  private static Optional<Long> timestamp(JsonNode n) {
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isNumber() || !n.canConvertToExactIntegral() || Math.abs(n.asDouble()) > MAX_SAFE_INTEGER) {
      throw new Bad(MESSAGE_BADLY_FORMED, "Invalid timestamp");
    }
    return Optional.of(n.asLong());
  }

  private static boolean invalidProtocol(JsonNode n) {
    return n != null && !n.isNull() && !n.isNumber() && !n.isTextual();
  }

  private static boolean present(ObjectNode r, String field) {
    JsonNode n = r.get(field);
    return n != null && !n.isNull();
  }

  /** JavaScript truthiness of a JSON value. */
  private static boolean truthy(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return false;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isNumber()) {
      return n.asDouble() != 0;
    }
    return !n.isTextual() || !n.textValue().isEmpty();
  }

  private static void requireFinite(JsonNode n) {
    if (!Shape.of(n, Integer.MAX_VALUE).finite()) {
      throw new Bad(OT_OP_BADLY_FORMED, "Numbers must be finite");
    }
  }

  /** The small identifying fields of a request, for an error reply: never its payload. */
  private ObjectNode echoOf(ObjectNode request) {
    ObjectNode echo = NODES.objectNode();
    for (String f : ECHOED) {
      JsonNode n = request.get(f);
      if (n != null && (n.isNumber() || n.isBoolean() || n.isNull()
          || n.isTextual() && n.textValue().length() <= 2 * rules.maxNameLength() + 1)) {
        echo.set(f, n);
      }
    }
    JsonNode b = request.get("b");
    if (b != null && b.isContainerNode() && b.size() <= MAX_ECHOED_BULK_CHARS / 4
        && b.toString().length() <= MAX_ECHOED_BULK_CHARS) {
      echo.set("b", b);
    }
    return echo;
  }

  /** A rule the request breaks. */
  private static final class Bad extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String code;

    Bad(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }
}
