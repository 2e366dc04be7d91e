package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.kafka.Submitter;
import dev.tandem.ot.OtException;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.Reply;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents a gateway serves and the clients waiting on them: loads documents from
 * ot-service, keeps them current from the event log, fans committed ops out to subscribers and
 * acknowledges submitters once their op is in the log. Confined to one event loop: every
 * method runs on it.
 */
public final class DocHub {

  private static final Logger LOG = LoggerFactory.getLogger(DocHub.class);

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Submitter submitter;
  private final Map<DocKey, DocView> docs = new HashMap<>();
  private final Map<PendingKey, Pending> pending = new HashMap<>();
  /** Submits made for HTTP requests (whole-content PUT), completed with the committed version. */
  private final Map<PendingKey, io.vertx.core.Promise<Long>> httpPending = new HashMap<>();
  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  /** A submit waiting for its commit: which document, which client op. */
  record PendingKey(DocKey key, String src, long seq) {}

  /** Who waits for the commit, and the version the op was based on. */
  record Pending(Session session, Long base) {}

  /** Someone waiting for a document to load. */
  record Waiter(Consumer<DocView> ready, Consumer<OpError> failed) {}

  private final HistoryReads history;

  public DocHub(Vertx vertx, GatewayConfig config, Submitter submitter) {
    this.vertx = vertx;
    this.config = config;
    this.submitter = submitter;
    this.history = new HistoryReads(vertx, config.bootstrapServers(), config.topics());
  }

  public HistoryReads history() {
    return history;
  }

  public long submittedCount() {
    return submitted.get();
  }

  public long ackedCount() {
    return acked.get();
  }

  public long rejectedCount() {
    return rejected.get();
  }

  public int openDocuments() {
    return docs.size();
  }

  /** Calls {@code ready} with the document once it is loaded, or {@code failed}. */
  public void open(DocKey key, Consumer<DocView> ready, Consumer<OpError> failed) {
    DocView view = docs.computeIfAbsent(key, DocView::new);
    view.lastUsed = System.currentTimeMillis();
    if (view.state == DocView.State.READY) {
      ready.accept(view);
      return;
    }
    view.waiting.add(new Waiter(ready, failed));
    if (view.loadRequest == null) {
      requestLoad(view);
    }
  }

  private void requestLoad(DocView view) {
    String request = UUID.randomUUID().toString();
    view.state = DocView.State.LOADING;
    view.loadRequest = request;
    submitter.submit(SubmittedOp.load(view.key, config.instanceId(), request), error -> {
      if (error != null) {
        vertx.runOnContext(x -> failLoad(view, request, "cannot reach Kafka: " + error.getMessage()));
      }
    });
    view.timer = vertx.setTimer(config.loadTimeout().toMillis(),
        t -> failLoad(view, request, "the document did not load within " + config.loadTimeout().toMillis() + " ms"));
  }

  private void failLoad(DocView view, String request, String why) {
    if (view.state != DocView.State.LOADING || !request.equals(view.loadRequest)) {
      return;
    }
    LOG.warn("loading {} failed: {}", view.key, why);
    List<Waiter> waiting = new ArrayList<>(view.waiting);
    view.waiting.clear();
    view.loadRequest = null;
    if (view.subscribers.isEmpty()) {
      docs.remove(view.key);
    } else {
      requestLoad(view);
    }
    OpError error = new OpError(ShareDbErrors.SERVICE_UNAVAILABLE, why);
    waiting.forEach(w -> w.failed().accept(error));
  }

  /** The document if it is loaded here, else null. */
  DocView ready(DocKey key) {
    DocView view = docs.get(key);
    return view != null && view.state == DocView.State.READY ? view : null;
  }

  void subscribe(Session session, DocView view) {
    view.subscribers.add(session);
  }

  void unsubscribe(Session session, DocKey key) {
    DocView view = docs.get(key);
    if (view != null) {
      view.subscribers.remove(session);
    }
  }

  /** Sends a client's op to the log; the session hears back on commit or rejection. */
  void submit(Session session, SubmittedOp op, Consumer<OpError> failed) {
    PendingKey pk = new PendingKey(op.key(), op.src(), op.seq());
    open(op.key(), view -> {
      pending.put(pk, new Pending(session, op.v()));
      submitted.incrementAndGet();
      submitter.submit(op, error -> {
        if (error != null) {
          vertx.runOnContext(x -> {
            if (pending.remove(pk) != null) {
              failed.accept(new OpError(ShareDbErrors.SERVICE_UNAVAILABLE, "cannot reach Kafka: " + error.getMessage()));
            }
          });
        }
      });
    }, failed);
  }

  /**
   * Submits an op for an HTTP request, not a connection: the future completes with the version
   * it was committed at (or the duplicate's), or fails with the {@link OpError} of a rejection.
   */
  public io.vertx.core.Future<Long> submitForRequest(SubmittedOp op) {
    io.vertx.core.Promise<Long> done = io.vertx.core.Promise.promise();
    PendingKey pk = new PendingKey(op.key(), op.src(), op.seq());
    httpPending.put(pk, done);
    submitted.incrementAndGet();
    vertx.setTimer(30_000, t -> {
      if (httpPending.remove(pk) != null) {
        done.fail(new OpFailure(new OpError(ShareDbErrors.SERVICE_UNAVAILABLE, "no commit within 30 s")));
      }
    });
    submitter.submit(op, error -> {
      if (error != null) {
        vertx.runOnContext(x -> {
          if (httpPending.remove(pk) != null) {
            done.fail(new OpFailure(new OpError(ShareDbErrors.SERVICE_UNAVAILABLE, "cannot reach Kafka: " + error.getMessage())));
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

  /** Forgets a closed session. */
  void closed(Session session) {
    for (DocView view : docs.values()) {
      view.subscribers.remove(session);
    }
    pending.values().removeIf(p -> p.session() == session);
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
    DocView view = docs.get(op.key());
    if (view == null) {
      return;
    }
    if (view.state == DocView.State.LOADING) {
      view.buffered.add(op);
      return;
    }
    if (op.v() < view.version) {
      return;
    }
    if (op.v() > view.version) {
      LOG.warn("{}: missed ops between v{} and v{}; reloading", op.key(), view.version, op.v());
      view.buffered.add(op);
      requestLoad(view);
      return;
    }
    try {
      view.apply(op, config.windowSize());
    } catch (OtException | IllegalStateException e) {
      LOG.error("{}: committed op v{} does not apply here ({}); reloading", op.key(), op.v(), e.getMessage());
      requestLoad(view);
      return;
    }
    deliver(view, op);
  }

  /** The op to every subscriber but its author; then the author's ack. */
  private void deliver(DocView view, CommittedOp op) {
    PendingKey pk = new PendingKey(op.key(), op.src(), op.seq());
    Pending author = pending.remove(pk);
    io.vertx.core.Promise<Long> http = httpPending.remove(pk);
    if (http != null) {
      acked.incrementAndGet();
      http.complete(op.v());
    }
    // Serialised once, however many subscribers: a busy document fans each op out to dozens.
    SharedText message = new SharedText(view.window.isEmpty() ? opMessage(op).toString() : view.window.peekLast().message());
    for (Session s : view.subscribers) {
      if (author != null && s == author.session() || s.src().equals(op.src())) {
        continue;
      }
      s.send(message);
    }
    if (author != null) {
      if (!view.subscribers.contains(author.session()) && author.base() != null) {
        sendOps(author.session(), view, author.base(), op.v());
      }
      acked.incrementAndGet();
      author.session().send(ack(op.key(), op.src(), op.seq(), op.v()));
    }
  }

  private void onReply(Reply reply) {
    if (!config.instanceId().equals(reply.gateway())) {
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
    PendingKey pk = new PendingKey(reply.key(), reply.src(), reply.seq());
    switch (reply.kind()) {
      case Reply.DUPLICATE -> {
        io.vertx.core.Promise<Long> http = httpPending.remove(pk);
        if (http != null) {
          http.complete(reply.v());
        }
        Pending p = pending.remove(pk);
        if (p != null) {
          acked.incrementAndGet();
          p.session().send(ack(reply.key(), reply.src(), reply.seq(), reply.v()));
        }
      }
      default -> {
        io.vertx.core.Promise<Long> http = httpPending.remove(pk);
        if (http != null) {
          rejected.incrementAndGet();
          http.fail(new OpFailure(reply.error()));
        }
        Pending p = pending.remove(pk);
        if (p != null) {
          rejected.incrementAndGet();
          ObjectNode echo = ack(reply.key(), reply.src(), reply.seq(), p.base());
          p.session().sendError(echo, reply.error());
        }
      }
    }
  }

  private void onSnapshot(Reply reply) {
    DocView view = docs.get(reply.key());
    if (view == null || view.state != DocView.State.LOADING || !reply.request().equals(view.loadRequest)) {
      return;
    }
    vertx.cancelTimer(view.timer);
    view.load(reply.v(), reply.type(), reply.data());
    view.state = DocView.State.READY;
    view.loadRequest = null;
    List<CommittedOp> buffered = new ArrayList<>(view.buffered);
    view.buffered.clear();
    buffered.sort((a, b) -> Long.compare(a.v(), b.v()));
    buffered.forEach(this::onCommitted);
    List<Waiter> waiting = new ArrayList<>(view.waiting);
    view.waiting.clear();
    if (view.state == DocView.State.READY) {
      waiting.forEach(w -> w.ready().accept(view));
    } else {
      view.waiting.addAll(waiting);
    }
  }

  /** Sends the committed ops {@code [from, to)} of {@code view} to {@code session}; false when they are no longer kept. */
  boolean sendOps(Session session, DocView view, long from, long to) {
    if (from < view.windowStart()) {
      return false;
    }
    for (DocView.WindowEntry op : view.window) {
      if (op.v() >= from && op.v() < to) {
        session.sendText(op.message());
      }
    }
    return true;
  }

  /** Lets documents nobody uses leave memory. */
  public void evictIdle() {
    long now = System.currentTimeMillis();
    java.util.Set<DocKey> awaited = new java.util.HashSet<>();
    pending.keySet().forEach(k -> awaited.add(k.key()));
    httpPending.keySet().forEach(k -> awaited.add(k.key()));
    for (Iterator<DocView> it = docs.values().iterator(); it.hasNext();) {
      DocView v = it.next();
      if (v.state == DocView.State.READY && v.subscribers.isEmpty() && !awaited.contains(v.key)
          && now - v.lastUsed >= config.idleEvict().toMillis()) {
        it.remove();
      }
    }
  }

  static ObjectNode opMessage(CommittedOp op) {
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

  static ObjectNode ack(DocKey key, String src, long seq, Long v) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
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
}
