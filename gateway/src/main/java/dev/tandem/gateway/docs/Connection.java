package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.access.DocLevel;
import dev.tandem.access.Principal;
import dev.tandem.gateway.EdgeLimits;
import dev.tandem.access.SessionToken;
import dev.tandem.gateway.auth.DocGrants;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.docs.ClientIds.Identity;
import dev.tandem.gateway.docs.Request.Bulk;
import dev.tandem.gateway.docs.Request.BulkItem;
import dev.tandem.history.HistoryException;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking ShareDB's protocol, like ShareDB's {@code Agent}: it owns its
 * identity, its document subscriptions, its presence channels and its limits, and closing it
 * releases exactly those. Frames are decoded (and rate-limited) on the socket's event loop;
 * everything else runs on the hub's event loop, in the order the frames came.
 */
public final class Connection implements Peer {

  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  private final ServerWebSocket socket;
  private final SessionToken auth;
  private final DocHub hub;
  private final GatewayConfig config;
  private final EdgeLimits limits;
  private final ClientIds ids;
  private final SocketWriter out;
  private final RateLimit rate;
  private final Set<DocKey> subscribed = new HashSet<>();
  /** Subscriptions asked for and not yet answered: they count against the cap too. */
  private final Set<DocKey> subscribing = new HashSet<>();
  private final PresenceRequests presenceRequests;
  private final PresenceOutbox presenceOutbox = new PresenceOutbox();
  private Identity identity;
  private boolean closed;
  private Runnable onClose = () -> { };
  private final Context hubContext;

  /** A connection for {@code socket}; created on the socket's event loop. */
  public Connection(ServerWebSocket socket, SessionToken auth, DocHub hub, PresenceHub presence,
      GatewayConfig config, ClientIds ids, RequestDecoder decoder, Context hubContext, OutboundBytes outbound) {
    this.socket = socket;
    this.hubContext = hubContext;
    this.auth = auth;
    this.hub = hub;
    this.presenceRequests = new PresenceRequests(this, presence, hub, config.limits(), config.instanceId());
    this.config = config;
    this.limits = config.limits();
    this.ids = ids;
    this.identity = ids.issue();
    this.rate = new RateLimit(config.maxMessagesPerSecond());
    this.out = new SocketWriter(socket, limits.outboundBudgetBytes(), outbound, () -> hubContext.runOnContext(v -> {
      LOG.info("closing connection {}: over its outbound budget of {} bytes (not reading)", identity.alias(),
          limits.outboundBudgetBytes());
      closeWith(EdgeLimits.CLOSE_NOT_READING, "not reading: outbound budget exceeded");
    }));
    socket.textMessageHandler(text -> {
      Decoded d = decoder.decode(text);
      if (!rate.take()) {
        // Answered here, on the socket's loop: a flood never reaches the hub.
        out.write(new SharedText(Replies.error(d.echo(), new OpError(ShareDbErrors.RATE_LIMITED, "More than "
            + config.maxMessagesPerSecond() + " messages per second; slow down")).toString()));
        return;
      }
      hubContext.runOnContext(v -> onRequest(d));
    });
    socket.binaryMessageHandler(b -> hubContext.runOnContext(v -> onRequest(
        RequestDecoder.unreadable("Binary messages are not part of the protocol; send JSON text"))));
    socket.exceptionHandler(e -> LOG.debug("socket error: {}", e.toString()));
    send(Replies.init("init", identity.secret()));
    hubContext.runOnContext(v -> {
      if (!closed) {
        auth.start(seconds -> send(Replies.authExpiring(seconds)), () -> {
          LOG.debug("closing connection {}: its token expired", identity.alias());
          closeWith(SessionToken.CLOSE_EXPIRED, "token expired");
        });
      }
    });
  }

  /** Runs {@code action} once the connection is closed. */
  public void whenClosed(Runnable action) {
    onClose = action;
  }

  @Override
  public String alias() {
    return identity.alias();
  }

  @Override
  public Principal principal() {
    return auth.principal();
  }

  void onRequest(Decoded decoded) {
    if (closed) {
      return;
    }
    if (decoded instanceof Decoded.Invalid bad) {
      LOG.debug("refused a request from {}: {} {}", identity.alias(), bad.error().code(), bad.error().message());
      send(Replies.error(bad.echo(), bad.error()));
      return;
    }
    Decoded.Valid ok = (Decoded.Valid) decoded;
    try {
      dispatch(ok.raw(), ok.echo(), ok.request());
    } catch (RuntimeException e) {
      // A bug, not the client's doing: logged in full, and the client still gets an answer.
      LOG.error("request {} from {} failed", ok.request().getClass().getSimpleName(), identity.alias(), e);
      send(Replies.error(ok.echo(), new OpError(ShareDbErrors.UNKNOWN_ERROR, "The server could not handle this request")));
    }
  }

  private void dispatch(ObjectNode raw, ObjectNode echo, Request request) {
    if (request instanceof Bulk b && b.items().size() > limits.maxDocsPerConnection()) {
      // Over the cap whatever it holds (bulk() would refuse it too): refused by its size alone,
      // before a grant check per item. 40,000 of those took the hub's loop for tens of ms.
      send(Replies.error(echo, tooManyDocs()));
      return;
    }
    Optional<OpError> denied = denied(request);
    if (denied.isPresent()) {
      send(Replies.error(echo, denied.get()));
      return;
    }
    if (request instanceof Request.Auth a) {
      refresh(echo, a.token());
    } else if (request instanceof Request.Handshake h) {
      handshake(h);
    } else if (request instanceof Request.Fetch f) {
      hub.open(f.key(), view -> catchUp(raw, echo, view, f.version()), e -> fail(echo, e));
    } else if (request instanceof Request.Subscribe s) {
      subscribe(raw, echo, s);
    } else if (request instanceof Request.Unsubscribe u) {
      unsubscribe(u.key());
      send(Replies.reply(raw, false));
    } else if (request instanceof Bulk b) {
      bulk(raw, echo, b);
    } else if (request instanceof Request.BulkUnsubscribe bu) {
      bu.ids().forEach(id -> unsubscribe(new DocKey(bu.collection(), id)));
      send(Replies.reply(raw, false));
    } else if (request instanceof Request.Submit s) {
      submit(echo, s);
    } else if (request instanceof Request.SnapshotAtVersion n) {
      snapshot(raw, echo, n.key(), n.version().orElse(null), null);
    } else if (request instanceof Request.SnapshotAtTime n) {
      snapshot(raw, echo, n.key(), null, n.timestamp().orElse(null));
    } else if (request instanceof Request.PresenceSubmit p) {
      presenceRequests.submit(echo, p);
    } else if (request instanceof Request.PresenceSubscribe ps) {
      presenceRequests.subscribe(raw, echo, ps.channel());
    } else if (request instanceof Request.PresenceUnsubscribe pu) {
      presenceRequests.unsubscribe(raw, pu.channel());
    } else if (request instanceof Request.PresenceRequest pr) {
      presenceRequests.request(pr.channel());
    } else if (request instanceof Request.Ping) {
      send(Replies.reply(raw, false));
    } else if (request instanceof Request.Lock l) {
      hub.lock(this, echo, l.key(), l.id(), l.version().orElse(null), l.target());
    } else if (request instanceof Request.Unlock u) {
      hub.lock(this, echo, u.key(), u.id(), null, null);
    } else if (request instanceof Request.WatchLocks w) {
      hub.open(w.key(), view -> hub.watchLocks(this, view), e -> fail(echo, e));
    }
  }

  /**
   * Every door of the protocol, checked against the connection's token before anything else:
   * {@code read} to fetch, subscribe, read snapshots and use presence, {@code write} for ops
   * (edits, create, delete). A bulk request is refused whole, naming the first document it may
   * not read. Unsubscribing and pings need nothing.
   */
  private Optional<OpError> denied(Request request) {
    Principal p = auth.principal();
    if (request instanceof Request.Fetch f) {
      return need(p, f.key(), DocLevel.READ);
    } else if (request instanceof Request.Subscribe s) {
      return need(p, s.key(), DocLevel.READ);
    } else if (request instanceof Request.SnapshotAtVersion n) {
      return need(p, n.key(), DocLevel.READ);
    } else if (request instanceof Request.SnapshotAtTime n) {
      return need(p, n.key(), DocLevel.READ);
    } else if (request instanceof Request.Submit s) {
      return need(p, s.key(), DocLevel.WRITE);
    } else if (request instanceof Request.Lock l) {
      return need(p, l.key(), DocLevel.WRITE);
    } else if (request instanceof Request.Unlock u) {
      return need(p, u.key(), DocLevel.WRITE);
    } else if (request instanceof Request.WatchLocks w) {
      return need(p, w.key(), DocLevel.READ);
    } else if (request instanceof Bulk b) {
      for (BulkItem i : b.items()) {
        Optional<OpError> e = need(p, new DocKey(b.collection(), i.id()), DocLevel.READ);
        if (e.isPresent()) {
          return e;
        }
      }
    } else if (request instanceof Request.PresenceSubmit ps) {
      return DocGrants.channelRefusal(p, ps.channel());
    } else if (request instanceof Request.PresenceSubscribe ps) {
      return DocGrants.channelRefusal(p, ps.channel());
    } else if (request instanceof Request.PresenceRequest pr) {
      return DocGrants.channelRefusal(p, pr.channel());
    }
    return Optional.empty();
  }

  private static Optional<OpError> need(Principal p, DocKey key, DocLevel level) {
    return p.doc(key.collection(), key.id()).allows(level) ? Optional.empty()
        : Optional.of(DocGrants.error(key, level));
  }

  /**
   * A fresh token: answered with its user, expiry and grants; what it no longer grants ends
   * (subscriptions with an {@code op} error, presence channels with a {@code pu} error, both
   * {@code ERR_ACCESS_DENIED}). A refused token leaves the old one in force until it expires.
   */
  private void refresh(ObjectNode echo, String token) {
    SessionToken.Refresh r = auth.refresh(token);
    if (r instanceof SessionToken.Refresh.Rejected rej) {
      send(Replies.error(echo, rej.error()));
      return;
    }
    Principal now = auth.principal();
    send(Replies.authAccepted(now));
    for (DocKey key : new java.util.ArrayList<>(subscribed)) {
      need(now, key, DocLevel.READ).ifPresent(e -> {
        unsubscribe(key);
        send(Replies.docRevoked(key, e));
      });
    }
    presenceRequests.revoke(ch -> DocGrants.channelRefusal(now, ch));
  }

  /**
   * A client that had an id before (a reconnect) keeps it when it proves it is that id's owner;
   * an id it cannot prove is never used: it keeps the fresh id it was given (a sharedb client
   * that resends an op under an unproven id then gets an error for it and fetches).
   */
  private void handshake(Request.Handshake h) {
    h.id().filter(id -> !id.equals(identity.secret())).ifPresent(id -> ids.prove(id).ifPresentOrElse(
        proven -> identity = proven,
        () -> LOG.debug("connection {} named a client id it cannot prove; keeping its own", identity.alias())));
    send(Replies.init("hs", identity.secret()));
  }

  private void subscribe(ObjectNode raw, ObjectNode echo, Request.Subscribe s) {
    if (!subscribed.contains(s.key()) && !subscribing.contains(s.key()) && subscriptions() >= limits.maxDocsPerConnection()) {
      send(Replies.error(echo, tooManyDocs()));
      return;
    }
    subscribing.add(s.key());
    hub.open(s.key(), view -> {
      subscribing.remove(s.key());
      Optional<OpError> revoked = need(auth.principal(), s.key(), DocLevel.READ);
      if (revoked.isPresent()) {
        // The token changed while the document loaded.
        send(Replies.error(echo, revoked.get()));
        return;
      }
      if (!closed && catchUp(raw, echo, view, s.version())) {
        subscribed.add(s.key());
        hub.subscribe(this, view);
      }
    }, e -> {
      subscribing.remove(s.key());
      fail(echo, e);
    });
  }

  private void unsubscribe(DocKey key) {
    hub.unsubscribe(this, key);
    subscribed.remove(key);
  }

  private int subscriptions() {
    return subscribed.size() + subscribing.size();
  }

  private OpError tooManyDocs() {
    return new OpError(EdgeErrors.TOO_MANY_DOCUMENTS, "A connection may subscribe to at most "
        + limits.maxDocsPerConnection() + " documents; unsubscribe from some first");
  }

  /**
   * The reply to a fetch or subscribe: the snapshot when no version is given; otherwise the ops
   * since that version go first (as ShareDB sends them) and the reply carries no data. False,
   * with an error sent, when those ops are no longer kept.
   */
  private boolean catchUp(ObjectNode raw, ObjectNode echo, DocView view, Optional<Long> v) {
    if (closed) {
      return false;
    }
    ObjectNode reply = Replies.reply(raw, v.isEmpty());
    if (v.isEmpty()) {
      reply.putRawValue("data", view.snapshotJson());
    } else if (!hub.catchUp(this, view, v.get(), view.version())) {
      send(Replies.error(echo, new OpError(ShareDbErrors.SUBMIT_TRANSFORM_OPS_NOT_FOUND, "Ops from version " + v.get()
          + " are no longer kept here (from " + view.windowStart() + "); fetch the document without a version")));
      return false;
    }
    send(reply);
    return true;
  }

  /**
   * bf/bs: refused whole when it would take the connection over its cap, before anything opens
   * (one over the cap by its size alone was refused in {@link #dispatch}).
   */
  private void bulk(ObjectNode raw, ObjectNode echo, Bulk b) {
    if (b.subscribe() && subscriptions() + b.items().stream()
        .filter(i -> !subscribed.contains(new DocKey(b.collection(), i.id()))).count() > limits.maxDocsPerConnection()) {
      send(Replies.error(echo, tooManyDocs()));
      return;
    }
    ObjectNode data = raw.objectNode();
    int[] left = {b.items().size()};
    Runnable done = () -> {
      ObjectNode reply = Replies.reply(raw, !b.byVersion());
      if (!b.byVersion()) {
        reply.set("data", data);
      }
      send(reply);
    };
    if (b.items().isEmpty()) {
      done.run();
      return;
    }
    for (BulkItem item : b.items()) {
      DocKey key = new DocKey(b.collection(), item.id());
      if (b.subscribe()) {
        subscribing.add(key);
      }
      hub.open(key, view -> {
        subscribing.remove(key);
        if (closed) {
          return;
        }
        if (item.version().isEmpty()) {
          data.putRawValue(item.id(), view.snapshotJson());
        } else {
          hub.catchUp(this, view, item.version().get(), view.version());
        }
        if (b.subscribe() && need(auth.principal(), key, DocLevel.READ).isEmpty()) {
          subscribed.add(key);
          hub.subscribe(this, view);
        }
        if (--left[0] == 0) {
          done.run();
        }
      }, error -> {
        subscribing.remove(key);
        data.putObject(item.id()).putObject("error").put("code", error.code()).put("message", error.message());
        if (--left[0] == 0 && !closed) {
          done.run();
        }
      });
    }
  }

  /**
   * An op goes to the log under this connection's alias. A {@code src} is accepted only as proof:
   * this connection's secret id, or the secret id of an earlier connection (an op resent after a
   * reconnect), never an alias or anything else a client could have seen.
   */
  private void submit(ObjectNode echo, Request.Submit s) {
    Identity as = identity;
    if (s.src().isPresent() && !s.src().get().equals(identity.secret())) {
      Optional<Identity> proven = ids.prove(s.src().get());
      if (proven.isEmpty()) {
        send(Replies.error(echo, new OpError(ShareDbErrors.OT_OP_BADLY_FORMED,
            "src is not a client id this connection was given")));
        return;
      }
      as = proven.get();
    }
    SubmittedOp op = submittedOp(s, as.alias());
    hub.submit(this, new Submission(op, as.secret(), echo));
  }

  private SubmittedOp submittedOp(Request.Submit s, String src) {
    long now = System.currentTimeMillis();
    String gw = config.instanceId();
    DocKey k = s.key();
    Long v = s.version().orElse(null);
    String by = auth.principal().user();
    if (s.body() instanceof Request.Edit e) {
      return new SubmittedOp(1, "op", k.collection(), k.id(), src, s.seq(), v, e.op(), null, null, gw, null, by, now);
    }
    if (s.body() instanceof Request.Create c) {
      return new SubmittedOp(1, "create", k.collection(), k.id(), src, s.seq(), v, null,
          new CreateData(c.type(), c.data().orElse(null)), null, gw, null, by, now);
    }
    return new SubmittedOp(1, "del", k.collection(), k.id(), src, s.seq(), v, null, null, true, gw, null, by, now);
  }

  /** ShareDB's fetchSnapshot and fetchSnapshotByTimestamp, answered from the event log. */
  private void snapshot(ObjectNode raw, ObjectNode echo, DocKey key, Long v, Long ts) {
    hub.history().snapshot(key, v, ts).onComplete(done -> {
      if (closed) {
        return;
      }
      if (done.succeeded()) {
        var s = done.result();
        send(Replies.snapshot(raw, s.v(), s.type(), s.data()));
        return;
      }
      OpError error;
      if (done.cause() instanceof HistoryException h && h.kind() == HistoryException.Kind.PAST_THE_END) {
        error = new OpError(ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT,
            "The document has no version " + v + " yet");
      } else {
        LOG.warn("history read for {} failed: {}", key, done.cause().toString());
        error = new OpError(ShareDbErrors.SERVICE_UNAVAILABLE, "History cannot be read now; try again");
      }
      send(Replies.error(echo, error));
    });
  }

  private void fail(ObjectNode echo, OpError error) {
    send(Replies.error(echo, error));
  }

  // ---- Peer: what the hubs send ----

  @Override
  public void send(ObjectNode message) {
    send(new SharedText(message.toString()));
  }

  @Override
  public void send(SharedText message) {
    if (!closed) {
      out.write(message);
    }
  }

  @Override
  public void catchUp(DocView.WindowEntry op) {
    send(op.src().equals(identity.alias()) ? op.forAuthor(identity.secret()) : op.frame());
  }

  @Override
  public void acked(Submission s, long v) {
    send(Replies.ack(s.op().key(), s.clientSrc(), s.op().seq(), v));
  }

  @Override
  public void rejected(Submission s, OpError error) {
    send(Replies.error(s.echo(), error));
  }

  @Override
  public boolean queuePresence(String ch, String id, SharedText message) {
    return !closed && presenceOutbox.hold(ch, id, message);
  }

  @Override
  public boolean flushPresence() {
    if (closed) {
      presenceOutbox.clear();
      return true;
    }
    return presenceOutbox.flush(out);
  }

  @Override
  public void dropPresence(String ch) {
    presenceOutbox.drop(ch);
  }

  /** For the socket's close handler, which the gateway owns: the socket has closed. */
  public void socketClosed() {
    hubContext.runOnContext(x -> close());
  }

  /** Bytes queued for this client and not yet taken by the network. */
  long queuedBytes() {
    return out.queuedBytes();
  }

  /**
   * The client answered no ping for {@code ttlMillis}: released at once (its presence goes now,
   * not when the close handshake with a client that does not read times out) and closed with 1001.
   */
  public void unresponsive(long ttlMillis) {
    hubContext.runOnContext(v -> {
      if (!closed) {
        LOG.info("closing connection {}: no pong for more than {} ms", identity.alias(), ttlMillis);
        closeWith((short) 1001, "no pong for too long");
      }
    });
  }

  private void closeWith(short code, String reason) {
    close();
    out.close(code, reason);
  }

  /** Releases exactly what this connection holds: its subscriptions, presences and queued presence. */
  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    auth.stop();
    presenceOutbox.clear();
    hub.closed(this);
    presenceRequests.close();
    subscribed.clear();
    subscribing.clear();
    onClose.run();
  }
}
