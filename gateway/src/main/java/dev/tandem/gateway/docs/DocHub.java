package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.kafka.Submitter;
import dev.tandem.ot.EditLocks;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.Reply;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents a gateway serves and the connections waiting on them: loads documents from
 * ot-service, keeps them current from the event log, fans committed ops out to subscribers and
 * acknowledges submitters once their op is in the log. The one owner of every {@link DocView}.
 * Confined to its context's event loop: Kafka's callbacks come back to that context.
 */
public final class DocHub {

  private static final Logger LOG = LoggerFactory.getLogger(DocHub.class);
  private static final OpError KAFKA_DOWN = new OpError(ShareDbErrors.SERVICE_UNAVAILABLE,
      "The document service cannot take this now; try again");

  private final Vertx vertx;
  private final Context context;
  private final GatewayConfig config;
  private final Submitter submitter;
  /** In access order: the least recently used document comes first when one must leave. */
  private final Map<DocKey, DocView> docs = new LinkedHashMap<>(16, 0.75f, true);
  private final AwaitedCommits<Pending> pending = new AwaitedCommits<>();
  /** Submits made for HTTP requests (whole-content PUT), completed with the committed version. */
  private final AwaitedCommits<Promise<Long>> httpPending = new AwaitedCommits<>();
  private final OpMeters meters;
  private final HistoryReads history;
  private final LockDesk locks;
  private final StaleBases staleBases;
  /**
   * The documents each connection subscribes to or follows the locks of, so that a closing
   * connection leaves them without a walk over every open document (a mass disconnect of N
   * connections over M documents cost N x M on the event loop).
   */
  private final Map<Peer, Set<DocView>> attached = new HashMap<>();
  /** Ops whose base ot-service no longer keeps, while the log is read to rebase them. */
  private final Map<AwaitedCommits.Key, Pending> rebasing = new HashMap<>();

  /** Who waits for the commit; {@code rebases}: how often the op was brought up to date from the log. */
  private record Pending(Peer peer, Submission submission, long submittedAt, int rebases) {}

  /** A hub confined to {@code context}, the gateway's own event loop. */
  public DocHub(Vertx vertx, Context context, GatewayConfig config, Submitter submitter, OpMeters meters) {
    this.vertx = vertx;
    this.meters = meters;
    this.context = context;
    this.config = config;
    this.submitter = submitter;
    this.history = new HistoryReads(vertx, config.bootstrapServers(), config.topics());
    this.locks = new LockDesk(vertx, context, config, submitter, docs::get);
    this.staleBases = new StaleBases(vertx, history);
  }

  public HistoryReads history() {
    return history;
  }

  public int openDocuments() {
    return docs.size();
  }

  /**
   * Calls {@code ready} with the document once it is loaded, or {@code failed}. At the cap of
   * open documents the least recently used one nobody subscribes to or waits on leaves first;
   * when there is none, the request is refused.
   */
  public void open(DocKey key, Consumer<DocView> ready, Consumer<OpError> failed) {
    DocView view = docs.get(key);
    if (view == null) {
      if (docs.size() >= config.limits().maxDocs() && !evictOne()) {
        failed.accept(new OpError(EdgeErrors.TOO_MANY_DOCUMENTS,
            "This server holds its maximum of open documents; try again later"));
        return;
      }
      view = new DocView(key);
      docs.put(key, view);
    }
    view.touch(System.currentTimeMillis());
    if (view.ready()) {
      ready.accept(view);
      return;
    }
    view.addWaiter(new DocView.Waiter(ready, failed));
    if (!view.loadPending()) {
      requestLoad(view);
    }
  }

  private boolean evictOne() {
    for (Iterator<DocView> it = docs.values().iterator(); it.hasNext();) {
      DocView v = it.next();
      if (evictable(v)) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  private boolean evictable(DocView v) {
    return v.ready() && v.subscribers().isEmpty() && v.lockWatchers().isEmpty() && !v.hasWaiters()
        && !awaited(v.key());
  }

  /** Whether a submit (a connection's or an HTTP request's) waits for a commit on {@code key}. */
  private boolean awaited(DocKey key) {
    return pending.awaits(key) || httpPending.awaits(key) || rebasing.keySet().stream().anyMatch(k -> k.doc().equals(key));
  }

  private void requestLoad(DocView view) {
    String request = UUID.randomUUID().toString();
    long timer = vertx.setTimer(config.loadTimeout().toMillis(), t -> failLoad(view, request,
        "The document did not load within " + config.loadTimeout().toMillis() + " ms; try again"));
    view.loading(request, timer);
    meters.loadRequested();
    submitter.submit(SubmittedOp.load(view.key(), config.instanceId(), request), error -> {
      if (error != null) {
        context.runOnContext(x -> {
          LOG.warn("load request for {} not sent: {}", view.key(), error.toString());
          failLoad(view, request, KAFKA_DOWN.message());
        });
      }
    });
  }

  private void failLoad(DocView view, String request, String why) {
    if (!view.loadingFor(request)) {
      return;
    }
    LOG.warn("loading {} failed: {}", view.key(), why);
    vertx.cancelTimer(view.timer());
    List<DocView.Waiter> waiting = view.takeWaiters();
    view.loadFailed();
    if (view.subscribers().isEmpty()) {
      docs.remove(view.key());
    } else {
      requestLoad(view);
    }
    OpError error = new OpError(ShareDbErrors.SERVICE_UNAVAILABLE, why);
    waiting.forEach(w -> w.failed().accept(error));
  }

  /** The document if it is loaded here. */
  Optional<DocView> ready(DocKey key) {
    DocView view = docs.get(key);
    return view != null && view.ready() ? Optional.of(view) : Optional.empty();
  }

  void subscribe(Peer peer, DocView view) {
    if (docs.get(view.key()) == view) {
      view.subscribe(peer);
      attached.computeIfAbsent(peer, p -> new HashSet<>()).add(view);
    }
  }

  void unsubscribe(Peer peer, DocKey key) {
    DocView view = docs.get(key);
    if (view != null) {
      view.unsubscribe(peer);
      Set<DocView> views = attached.get(peer);
      if (views != null && views.remove(view) && views.isEmpty()) {
        attached.remove(peer);
      }
    }
  }

  /**
   * Sends a connection's op to the log once its document is here (the op's shape checked against
   * the document's type); the peer hears back on commit or rejection.
   */
  void submit(Peer peer, Submission s) {
    SubmittedOp op = s.op();
    if ("create".equals(op.kind()) && !docs.containsKey(op.key())) {
      createUnseen(peer, s);
      return;
    }
    open(op.key(), view -> {
      if ("op".equals(op.kind()) && view.type().isPresent()) {
        Optional<OpError> bad = OpShape.check(view.type().get(), op.op());
        if (bad.isPresent()) {
          meters.rejected(bad.get().code());
          peer.rejected(s, bad.get());
          return;
        }
      }
      send(peer, s, () -> { });
    }, error -> peer.rejected(s, error));
  }

  /**
   * Sends a connection's op to the log, its author waiting for the commit; when Kafka does not
   * take it, the author hears {@code ERR_SERVICE_UNAVAILABLE}, then {@code afterFailure} runs.
   */
  private void send(Peer peer, Submission s, Runnable afterFailure) {
    send(new Pending(peer, s, System.nanoTime(), 0), s.op(), afterFailure);
  }

  /** {@code op} to the log, {@code waiting} for its commit (the connection's op, or it rebased). */
  private void send(Pending waiting, SubmittedOp op, Runnable afterFailure) {
    AwaitedCommits.Key pk = new AwaitedCommits.Key(op.key(), op.src(), op.seq());
    pending.put(pk, waiting);
    meters.submitted();
    submitter.submit(op, error -> {
      if (error != null) {
        context.runOnContext(x -> {
          LOG.warn("{} for {} not sent to Kafka: {}", op.kind(), op.key(), error.toString());
          Pending p = pending.remove(pk);
          if (p != null) {
            meters.rejected(KAFKA_DOWN.code());
            p.peer().rejected(p.submission(), KAFKA_DOWN);
          }
          afterFailure.run();
        });
      }
    });
  }

  /**
   * A create for a document this gateway does not hold goes to the log without loading the
   * document first: ot-service decides whether it exists, and whatever version it is created at,
   * the document before a create is empty, so its commit alone makes the view ready
   * ({@link #onCommitted}). A refusal (it exists already) leaves nothing behind. This saves
   * creating a document a round trip through the ordered stream.
   */
  private void createUnseen(Peer peer, Submission s) {
    SubmittedOp op = s.op();
    if (docs.size() >= config.limits().maxDocs() && !evictOne()) {
      peer.rejected(s, new OpError(EdgeErrors.TOO_MANY_DOCUMENTS,
          "This server holds its maximum of open documents; try again later"));
      return;
    }
    DocView view = new DocView(op.key());
    view.touch(System.currentTimeMillis());
    docs.put(op.key(), view);
    send(peer, s, () -> dropIfOrphan(op.key()));
  }

  /**
   * Forgets a view that never became ready, has no load under way and nobody waiting, subscribed
   * or awaiting a commit on it: what a refused or failed {@link #createUnseen} leaves.
   */
  private void dropIfOrphan(DocKey key) {
    DocView view = docs.get(key);
    if (view != null && orphan(view)) {
      docs.remove(key);
    }
  }

  private boolean orphan(DocView v) {
    return !v.ready() && !v.loadPending() && !v.hasWaiters() && v.subscribers().isEmpty() && !awaited(v.key());
  }

  /**
   * Submits an op for an HTTP request, not a connection: the future completes with the version
   * it was committed at (or the duplicate's), or fails with the {@link OpError} of a rejection.
   */
  public Future<Long> submitForRequest(SubmittedOp op) {
    Promise<Long> done = Promise.promise();
    AwaitedCommits.Key pk = new AwaitedCommits.Key(op.key(), op.src(), op.seq());
    httpPending.put(pk, done);
    meters.submitted();
    vertx.setTimer(30_000, t -> {
      if (httpPending.remove(pk) != null) {
        done.fail(new OpFailure(new OpError(ShareDbErrors.SERVICE_UNAVAILABLE, "no commit within 30 s")));
      }
    });
    submitter.submit(op, error -> {
      if (error != null) {
        context.runOnContext(x -> {
          LOG.warn("op for {} not sent to Kafka: {}", op.key(), error.toString());
          if (httpPending.remove(pk) != null) {
            done.fail(new OpFailure(KAFKA_DOWN));
          }
        });
      }
    });
    return done.future();
  }

  /** A rejected op, as an exception for futures. */
  public static final class OpFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final transient OpError error;

    OpFailure(OpError error) {
      super(error.code() + ": " + error.message(), null, false, false);
      this.error = error;
    }
  }

  /** Sends a connection's lock request ({@code target} set) or unlock into the document's stream. */
  void lock(Peer peer, ObjectNode echo, DocKey key, String id, Long version,
      ObjectNode target) {
    locks.request(peer, echo, key, id, version, target);
  }

  /** {@code peer} follows the locks of {@code view}. */
  void watchLocks(Peer peer, DocView view) {
    if (docs.get(view.key()) == view) {
      locks.watch(peer, view);
      attached.computeIfAbsent(peer, p -> new HashSet<>()).add(view);
    }
  }

  /** Forgets a closed connection: its subscriptions, the acks it waited for, its locks. */
  void closed(Peer peer) {
    locks.closed(peer);
    // A view someone subscribes to or watches cannot be evicted, so these are still the hub's;
    // no lookup in the access-ordered map, which would mark them as just used.
    Set<DocView> views = attached.remove(peer);
    if (views != null) {
      views.forEach(view -> view.unsubscribe(peer));
    }
    pending.removeIf(peer.alias(), p -> p.peer() == peer);
    rebasing.values().removeIf(p -> p.peer() == peer);
  }

  /** Records from the event log and the replies topic, in log order. */
  public void onFeed(List<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> r : records) {
      try {
        if (r.topic().equals(config.topics().committed())) {
          onCommitted(Records.decode(r.value(), CommittedOp.class));
        } else {
          onReply(Records.decode(r.value(), Reply.class));
        }
      } catch (MalformedRecordException | IllegalArgumentException e) {
        LOG.warn("skipping malformed record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      }
    }
  }

  private void onCommitted(CommittedOp op) {
    onCommitted(op, false);
  }

  /**
   * {@code op} applied to its document's view; {@code justLoaded} when it was buffered while the
   * view loaded and the snapshot has just come.
   */
  private void onCommitted(CommittedOp op, boolean justLoaded) {
    DocView view = docs.get(op.key());
    if (!op.versioned()) {
      if (view != null && !view.ready() && view.loadPending()) {
        view.buffer(op);
      } else {
        locks.onCommitted(view, op);
      }
      return;
    }
    if (view == null) {
      return;
    }
    if (!view.ready()) {
      if (view.loadPending()) {
        view.buffer(op);
      } else if ("create".equals(op.kind())) {
        // A create sent without a load (createUnseen): the document before it is empty.
        view.load(op.v(), null, null);
        onCommitted(op, false);
      }
      // Else a commit for a document whose create from here is still to be decided (and will
      // be refused, since the document exists): there is no state to apply it to.
      return;
    }
    if (op.v() < view.version()) {
      // Already in the state a load brought (the op committed while the view reloaded): the
      // subscribers have it; its author still waits for the ack.
      Pending author = takeAuthor(op);
      if (author != null) {
        ack(author, op.v());
      }
      return;
    }
    if (op.v() > view.version() && justLoaded) {
      // ot-service took the snapshot after every op it committed before the load request, and
      // the ops it commits after it follow in log order: a gap here is a record ot-service did
      // not commit (written behind its back). Reloading again would bring the same snapshot, in
      // a loop as fast as the round trip; the record is dropped, and the next op that does not
      // follow on reloads once more.
      LOG.error("{}: v{} follows a gap the snapshot at v{} does not explain; not a commit of ot-service, dropped",
          op.key(), op.v(), view.version());
      meters.foreignRecord();
      return;
    }
    if (op.v() > view.version()) {
      LOG.warn("{}: missed ops between v{} and v{}; reloading", op.key(), view.version(), op.v());
      view.buffer(op);
      requestLoad(view);
      return;
    }
    DocView.WindowEntry entry;
    EditLocks lockedBefore = view.locks();
    try {
      entry = view.apply(op, config.windowSize());
    } catch (OtException | IllegalStateException e) {
      LOG.error("{}: committed op v{} does not apply here ({}); reloading", op.key(), op.v(), e.getMessage());
      requestLoad(view);
      return;
    }
    deliver(view, op, entry);
    if (!lockedBefore.all().equals(view.locks().all())) {
      locks.changed(view);
    }
  }

  /** The op to every subscriber but its author (encoded once for all); then the author's ack. */
  private void deliver(DocView view, CommittedOp op, DocView.WindowEntry entry) {
    Pending author = takeAuthor(op);
    for (Peer p : view.subscribers()) {
      if (author != null && p == author.peer() || p.alias().equals(op.src())) {
        continue;
      }
      p.send(entry.frame());
    }
    if (author != null) {
      Long base = author.submission().op().v();
      if (!view.subscribers().contains(author.peer()) && base != null) {
        catchUp(author.peer(), view, base, op.v());
      }
      ack(author, op.v());
    }
  }

  /**
   * The connection waiting for {@code op}'s commit, removed (null when none is); an HTTP request
   * waiting for it completes here.
   */
  private Pending takeAuthor(CommittedOp op) {
    AwaitedCommits.Key pk = new AwaitedCommits.Key(op.key(), op.src(), op.seq());
    Promise<Long> http = httpPending.remove(pk);
    if (http != null) {
      meters.acked(0);
      http.complete(op.v());
    }
    return pending.remove(pk);
  }

  private void ack(Pending author, long v) {
    meters.acked(author.submittedAt());
    author.peer().acked(author.submission(), v);
  }

  private void onReply(Reply reply) {
    if (!config.instanceId().equals(reply.gateway()) || locks.onReply(reply)) {
      return;
    }
    if (Reply.SNAPSHOT.equals(reply.kind())) {
      onSnapshot(reply);
      return;
    }
    // Rejections and duplicates answer a submit: (src, seq) name it.
    if (reply.seq() == null) {
      return;
    }
    AwaitedCommits.Key pk = new AwaitedCommits.Key(reply.key(), reply.src(), reply.seq());
    Promise<Long> http = httpPending.remove(pk);
    Pending p = pending.remove(pk);
    if (Reply.DUPLICATE.equals(reply.kind())) {
      if (http != null) {
        http.complete(reply.v());
      }
      if (p != null) {
        ack(p, reply.v());
      }
      return;
    }
    if (http != null) {
      meters.rejected(reply.error().code());
      http.fail(new OpFailure(reply.error()));
    }
    if (p != null && StaleBases.answers(reply.error(), p.submission().op()) && rebase(pk, p, reply.error())) {
      return;
    }
    if (p != null) {
      meters.rejected(reply.error().code());
      p.peer().rejected(p.submission(), reply.error());
    }
    dropIfOrphan(reply.key());
  }

  /**
   * Starts bringing {@code p}'s op, based on a version ot-service no longer keeps, up to date
   * from the log ({@link StaleBases}); false when it cannot (no type known here, rebased too
   * often, too many rebases under way), and the client is to hear {@code error}.
   */
  private boolean rebase(AwaitedCommits.Key pk, Pending p, OpError error) {
    DocView view = docs.get(pk.doc());
    OtType type = view == null || !view.ready() ? null : view.type().orElse(null);
    if (type == null || p.rebases() >= StaleBases.MAX_ATTEMPTS) {
      return false;
    }
    Optional<Future<StaleBases.Outcome>> read = staleBases.rebase(p.submission().op(), type, error);
    if (read.isEmpty()) {
      LOG.warn("{}: {} rebases from the log under way; refusing an op based on v{}", pk.doc(),
          StaleBases.MAX_IN_FLIGHT, p.submission().op().v());
      return false;
    }
    rebasing.put(pk, p);
    read.get().onComplete(done -> {
      if (rebasing.remove(pk) != p) {
        return; // the connection closed meanwhile
      }
      StaleBases.Outcome outcome = done.succeeded() ? done.result() : new StaleBases.Refused(error);
      if (done.failed()) {
        LOG.warn("{}: reading the log to rebase an op failed: {}", pk.doc(), done.cause().toString());
      }
      if (outcome instanceof StaleBases.Rebased r) {
        // The connection's own op stays in Pending: an author not subscribed catches up from its base.
        meters.rebased();
        send(new Pending(p.peer(), p.submission(), p.submittedAt(), p.rebases() + 1), r.op(), () -> dropIfOrphan(pk.doc()));
      } else if (outcome instanceof StaleBases.Duplicate d) {
        ack(p, d.v());
      } else if (outcome instanceof StaleBases.Refused r) {
        meters.rejected(r.error().code());
        p.peer().rejected(p.submission(), r.error());
        dropIfOrphan(pk.doc());
      }
    });
    return true;
  }

  private void onSnapshot(Reply reply) {
    DocView view = docs.get(reply.key());
    if (view == null || !view.loadingFor(reply.request())) {
      return;
    }
    vertx.cancelTimer(view.timer());
    view.load(reply.v(), reply.type(), reply.data());
    view.locks(EditLocks.fromJson(reply.locks()));
    view.takeBuffered().forEach(op -> onCommitted(op, true));
    if (!view.locks().isEmpty() || !view.lockWatchers().isEmpty()) {
      locks.changed(view);
    }
    if (view.ready()) {
      view.takeWaiters().forEach(w -> w.ready().accept(view));
    }
  }

  /** Sends the kept ops {@code [from, to)} of {@code view} to {@code peer}; false when they are no longer kept. */
  boolean catchUp(Peer peer, DocView view, long from, long to) {
    if (from < view.windowStart()) {
      return false;
    }
    view.ops(from, to).forEach(peer::catchUp);
    return true;
  }

  /** Lets documents nobody uses leave memory. */
  public void evictIdle() {
    long now = System.currentTimeMillis();
    docs.values().removeIf(v -> evictable(v) && now - v.lastUsed() >= config.idleEvict().toMillis() || orphan(v));
  }
}
