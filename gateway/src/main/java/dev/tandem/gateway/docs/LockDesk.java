package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.kafka.Submitter;
import dev.tandem.ot.EditLocks;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.Reply;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of edit locks: sends a connection's lock and unlock requests into the
 * document's ordered stream, answers it when ot-service's decision comes back (a {@code lock}
 * record in the event log, or a reject naming the request), shows every watcher the document's
 * lock table as it changes (a grant, a release, an op that moves or ends a lock, an expiry),
 * and releases a connection's locks when it closes. Confined to the hub's event loop.
 *
 * <p>To the client: {@code {"a":"lock","c","d","id","ttl"}} (granted, for ttl ms),
 * {@code {"a":"unlock","c","d","id"}} (released), the request's echo with an {@code error}
 * (and the lock in the way as {@code holder}) when refused, and {@code {"a":"locks","c","d",
 * "locks":[...]}} to watchers, each lock with its remaining {@code ttl} and {@code mine} on the
 * watcher's own.
 */
final class LockDesk {

  private static final Logger LOG = LoggerFactory.getLogger(LockDesk.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** How long a request waits for ot-service's answer before the client hears it is unavailable. */
  static final long ANSWER_TIMEOUT_MS = 15_000;
  /** How this gateway's lock request ids start (its load requests are UUIDs). */
  private static final String REQUEST_PREFIX = "lock:";
  /** Lock requests one connection may have waiting at once. */
  static final int MAX_WAITING_PER_CONNECTION = 64;

  private final Vertx vertx;
  private final Context context;
  private final GatewayConfig config;
  private final Submitter submitter;
  private final Function<DocKey, DocView> views;
  private final Map<String, Waiting> waiting = new HashMap<>();
  private final Map<Peer, Integer> waitingPer = new HashMap<>();
  /** The documents in which each connection was granted a lock: released when it closes. */
  private final Map<Peer, Set<DocKey>> held = new HashMap<>();
  private final Map<DocKey, Long> expiryTimers = new HashMap<>();
  private long nextRequest;

  private record Waiting(Peer peer, ObjectNode echo, DocKey key, String action, String id, long timer) {}

  LockDesk(Vertx vertx, Context context, GatewayConfig config, Submitter submitter, Function<DocKey, DocView> views) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.submitter = submitter;
    this.views = views;
  }

  /** A connection's lock ({@code target} set) or unlock request. */
  void request(Peer peer, ObjectNode echo, DocKey key, String id, Long version, ObjectNode target) {
    if (waitingPer.getOrDefault(peer, 0) >= MAX_WAITING_PER_CONNECTION) {
      peer.send(Replies.error(echo, new OpError(ShareDbErrors.RATE_LIMITED,
          "At most " + MAX_WAITING_PER_CONNECTION + " lock requests may wait at once")));
      return;
    }
    String action = target == null ? "unlock" : "lock";
    ObjectNode body = target == null ? NODES.objectNode() : target.deepCopy();
    body.put("action", action);
    body.put("id", id);
    peer.principal().name().ifPresent(n -> body.put("name", n));
    String request = REQUEST_PREFIX + (++nextRequest);
    long timer = vertx.setTimer(ANSWER_TIMEOUT_MS, t -> {
      Waiting w = take(request);
      if (w != null) {
        w.peer().send(Replies.error(w.echo(), new OpError(ShareDbErrors.SERVICE_UNAVAILABLE,
            "No answer to the lock request within " + ANSWER_TIMEOUT_MS + " ms; try again")));
      }
    });
    waiting.put(request, new Waiting(peer, echo, key, action, id, timer));
    waitingPer.merge(peer, 1, Integer::sum);
    send(new SubmittedOp(1, SubmittedOp.LOCK, key.collection(), key.id(), peer.alias(), null, version, null, null,
        null, config.instanceId(), request, peer.principal().user(), System.currentTimeMillis(), body), request);
  }

  /** Follows {@code view}'s locks: the table now, then its changes. */
  void watch(Peer peer, DocView view) {
    view.watchLocks(peer);
    peer.send(table(view, peer));
  }

  /** A {@code lock} record of the event log; {@code view} is the document here, or null. */
  void onCommitted(DocView view, CommittedOp op) {
    String request = op.lock().path("request").asText(null);
    EditLocks after = EditLocks.fromJson(op.lock().get("locks"));
    if (config.instanceId().equals(op.lock().path("gateway").asText(null)) && request != null) {
      Waiting w = take(request);
      if (w != null) {
        answer(w, after);
      }
    }
    if (view != null && view.ready() && view.version() == op.v()) {
      view.locks(after);
      changed(view);
    }
    // A view behind this record reloads (and the load brings the table); one past it has
    // already moved on with a table that includes it.
  }

  /** An answer from ot-service that commits nothing: true when it was for a lock request of this gateway. */
  boolean onReply(Reply reply) {
    if (reply.request() == null || !Reply.REJECT.equals(reply.kind())) {
      return false;
    }
    Waiting w = take(reply.request());
    if (w == null) {
      return reply.request().startsWith(REQUEST_PREFIX); // answered already, timed out, or a release
    }
    ObjectNode m = Replies.error(w.echo(), reply.error());
    if (reply.locks() != null && reply.locks().isArray() && !reply.locks().isEmpty()) {
      m.set("holder", shown(EditLocks.fromJson(reply.locks()).all().get(0), w.peer(), System.currentTimeMillis()));
    }
    w.peer().send(m);
    return true;
  }

  /** The view's table after an op or a load: watchers hear of a change. */
  void changed(DocView view) {
    EditLocks live = view.locks().live(System.currentTimeMillis());
    if (live != view.locks()) {
      view.locks(live);
    }
    for (Peer p : view.lockWatchers()) {
      p.send(table(view, p));
    }
    scheduleExpiry(view);
  }

  /** A closed connection: its waiting requests are forgotten, its locks released. */
  void closed(Peer peer) {
    waiting.values().removeIf(w -> {
      if (w.peer() == peer) {
        vertx.cancelTimer(w.timer());
        return true;
      }
      return false;
    });
    waitingPer.remove(peer);
    Set<DocKey> keys = held.remove(peer);
    if (keys == null) {
      return;
    }
    for (DocKey key : keys) {
      ObjectNode body = NODES.objectNode().put("action", "release");
      String request = REQUEST_PREFIX + (++nextRequest);
      send(new SubmittedOp(1, SubmittedOp.LOCK, key.collection(), key.id(), peer.alias(), null, null, null, null, null,
          config.instanceId(), request, peer.principal().user(), System.currentTimeMillis(), body), request);
    }
  }

  private void answer(Waiting w, EditLocks after) {
    ObjectNode m = NODES.objectNode();
    m.put("a", w.action());
    m.put("c", w.key().collection());
    m.put("d", w.key().id());
    m.put("id", w.id());
    if (w.action().equals("lock")) {
      long now = System.currentTimeMillis();
      after.all().stream().filter(l -> l.src().equals(w.peer().alias()) && l.id().equals(w.id())).findFirst()
          .ifPresent(l -> m.put("ttl", Math.max(0, l.expires() - now)));
      held.computeIfAbsent(w.peer(), p -> new HashSet<>()).add(w.key());
    }
    w.peer().send(m);
  }

  private void send(SubmittedOp op, String request) {
    submitter.submit(op, error -> {
      if (error != null) {
        context.runOnContext(x -> {
          LOG.warn("lock request for {} not sent to Kafka: {}", op.key(), error.toString());
          Waiting w = take(request);
          if (w != null) {
            w.peer().send(Replies.error(w.echo(), new OpError(ShareDbErrors.SERVICE_UNAVAILABLE,
                "The document service cannot take this now; try again")));
          }
        });
      }
    });
  }

  private Waiting take(String request) {
    Waiting w = waiting.remove(request);
    if (w != null) {
      vertx.cancelTimer(w.timer());
      waitingPer.computeIfPresent(w.peer(), (p, n) -> n > 1 ? n - 1 : null);
    }
    return w;
  }

  /** Tells the watchers when the next lock expires. */
  private void scheduleExpiry(DocView view) {
    Long old = expiryTimers.remove(view.key());
    if (old != null) {
      vertx.cancelTimer(old);
    }
    long next = view.locks().nextExpiry();
    if (next == Long.MAX_VALUE || view.lockWatchers().isEmpty()) {
      return;
    }
    long delay = Math.max(1, next - System.currentTimeMillis() + 1);
    expiryTimers.put(view.key(), vertx.setTimer(delay, t -> {
      expiryTimers.remove(view.key());
      if (views.apply(view.key()) == view) {
        changed(view);
      }
    }));
  }

  private static ObjectNode table(DocView view, Peer p) {
    ObjectNode m = NODES.objectNode();
    m.put("a", "locks");
    m.put("c", view.key().collection());
    m.put("d", view.key().id());
    long now = System.currentTimeMillis();
    ArrayNode locks = m.putArray("locks");
    List<EditLocks.Lock> all = view.locks().live(now).all();
    all.forEach(l -> locks.add(shown(l, p, now)));
    return m;
  }

  /** A lock as a client sees it: no connection alias; the time left instead of a clock reading. */
  private static ObjectNode shown(EditLocks.Lock l, Peer p, long now) {
    ObjectNode o = l.toJson();
    o.remove("expires");
    o.remove("src");
    o.put("ttl", Math.max(0, l.expires() - now));
    if (l.src().equals(p.alias())) {
      o.put("mine", true);
    }
    return o;
  }
}
