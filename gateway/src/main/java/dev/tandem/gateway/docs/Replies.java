package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.PresenceRecord.Entry;

/**
 * Every message the gateway sends a ShareDB client, shaped as ShareDB's agent shapes it
 * ({@code Agent._reply}, {@code _initMessage}, {@code _sendOp}, presence). Nothing else builds
 * protocol messages.
 */
final class Replies {

  static final String JSON0_URI = "http://sharejs.org/types/JSONv0";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Replies() {}

  /** {@code init} (sent on connect) or the {@code hs} reply: the protocol and the client's id. */
  static ObjectNode init(String action, String clientId) {
    ObjectNode m = NODES.objectNode();
    m.put("a", action);
    m.put("protocol", 1);
    m.put("protocolMinor", 2);
    m.put("id", clientId);
    m.put("type", JSON0_URI);
    return m;
  }

  /**
   * The reply to {@code request}, to which the caller adds its data: the action, and the
   * request's {@code id}, or its {@code c}, {@code d} and (unless {@code withData}) {@code b}.
   * The client finds the callbacks of a bulk request by {@code b}.
   */
  static ObjectNode reply(ObjectNode request, boolean withData) {
    ObjectNode m = NODES.objectNode();
    m.set("a", request.get("a"));
    if (truthy(request.get("id"))) {
      m.set("id", request.get("id"));
    } else {
      copyTruthy(request, m, "c");
      copyTruthy(request, m, "d");
      if (!withData) {
        copyTruthy(request, m, "b");
      }
    }
    return m;
  }

  /** An error for a request: its identifying fields (see {@link Decoded#echo}) and the error. */
  static ObjectNode error(ObjectNode echo, OpError error) {
    ObjectNode m = echo.deepCopy();
    m.putObject("error").put("code", error.code()).put("message", error.message());
    return m;
  }

  /** Tandem's {@code auth} extension: the token expires in {@code seconds}; send a fresh one. */
  static ObjectNode authExpiring(long seconds) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "auth");
    m.put("expiring", seconds);
    return m;
  }

  /** A fresh token is in force: its user, expiry (Unix seconds) and grants. */
  static ObjectNode authAccepted(dev.tandem.access.Principal p) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "auth");
    m.put("user", p.user());
    p.expires().ifPresent(e -> m.put("exp", e.getEpochSecond()));
    try {
      m.set("tandem", new com.fasterxml.jackson.databind.ObjectMapper().readTree(p.grants().toJson().encode()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return m;
  }

  /**
   * A subscription the connection's token no longer covers, ended by the server: an {@code op}
   * error without {@code seq}, which the sharedb client emits as the document's {@code error}
   * (an unsolicited {@code u} would reach a callback that is not there).
   */
  static ObjectNode docRevoked(DocKey key, OpError error) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "op");
    m.put("c", key.collection());
    m.put("d", key.id());
    m.putObject("error").put("code", error.code()).put("message", error.message());
    return m;
  }

  /** A presence channel the token no longer covers: {@code pu} with the error (the client emits it). */
  static ObjectNode presenceRevoked(String ch, OpError error) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "pu");
    m.put("ch", ch);
    m.putObject("error").put("code", error.code()).put("message", error.message());
    return m;
  }

  /** The acknowledgement of an op, or an op without its body: {@code {a:'op', c, d, v, src, seq}}. */
  static ObjectNode ack(DocKey key, String src, long seq, Long v) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "op");
    m.put("c", key.collection());
    m.put("d", key.id());
    if (v != null) {
      m.put("v", v);
    }
    m.put("src", src);
    m.put("seq", seq);
    return m;
  }

  /** A committed op as subscribers get it. {@code src} comes before the body: see {@link DocView.WindowEntry#forAuthor}. */
  static ObjectNode op(CommittedOp op) {
    ObjectNode m = ack(op.key(), op.src(), op.seq(), op.v());
    switch (op.kind()) {
      case "create" -> {
        ObjectNode create = m.putObject("create");
        create.put("type", op.create().type());
        if (op.create().data() != null) {
          create.set("data", op.create().data());
        }
      }
      case "del" -> m.put("del", true);
      default -> m.set("op", op.op());
    }
    return m;
  }

  /** The acknowledgement of a presence value: {@code {a:'p', ch, id, pv}}. */
  static ObjectNode presenceAck(String ch, String id, long pv) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "p");
    m.put("ch", ch);
    m.put("id", id);
    m.put("pv", pv);
    return m;
  }

  /** The reply to {@code ps} or {@code pu}: {@code {a, ch, seq}}. */
  static ObjectNode presenceSubscription(ObjectNode request, String ch) {
    ObjectNode m = NODES.objectNode();
    m.set("a", request.get("a"));
    m.put("ch", ch);
    if (request.has("seq")) {
      m.set("seq", request.get("seq"));
    }
    return m;
  }

  /** Someone's presence: {@code {a:'p', ch, src, id, p, pv, c, d, v, t}}, {@code src} the alias. */
  static ObjectNode presence(String ch, Entry e) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "p");
    m.put("ch", ch);
    m.put("src", e.src());
    m.put("id", e.id());
    m.set("p", e.p() == null ? NullNode.getInstance() : e.p());
    m.put("pv", e.pv());
    if (e.c() != null) {
      m.put("c", e.c());
      m.put("d", e.d());
    }
    if (e.v() != null) {
      m.put("v", e.v());
    }
    if (e.t() != null) {
      m.put("t", e.t());
    }
    if (e.user() != null) {
      // Who published it, as the server admitted them: a value's own "name" is only what the
      // client says. A plain sharedb client ignores the field.
      ObjectNode user = m.putObject("user").put("id", e.user());
      if (e.name() != null) {
        user.put("name", e.name());
      }
    }
    return m;
  }

  /** ShareDB's request for everyone's presence again. */
  static ObjectNode presenceRequest(String ch) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "pr");
    m.put("ch", ch);
    return m;
  }

  /** The reply to {@code nf}/{@code nt}: {@code v}, {@code type} and {@code data}. */
  static ObjectNode snapshot(ObjectNode request, long v, String type, JsonNode data) {
    ObjectNode m = reply(request, true);
    m.put("v", v);
    if (type == null) {
      m.putNull("type");
    } else {
      m.put("type", type);
      m.set("data", data);
    }
    return m;
  }

  private static void copyTruthy(ObjectNode from, ObjectNode to, String field) {
    if (truthy(from.get(field))) {
      to.set(field, from.get(field));
    }
  }

  private static boolean truthy(JsonNode n) {
    return n != null && !n.isNull() && !(n.isTextual() && n.textValue().isEmpty())
        && !(n.isNumber() && n.asDouble() == 0) && !(n.isBoolean() && !n.booleanValue());
  }
}
