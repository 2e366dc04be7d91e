package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.ot.EditLocks;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtType;
import dev.tandem.ot.OtTypes;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A document as one gateway sees it: loaded once from ot-service, then kept current from the
 * event log; its subscribers and its recent ops for clients catching up. Owned by {@link DocHub},
 * which alone changes it; others read it through its methods. Confined to the hub's event loop.
 */
final class DocView {

  /** Where the document is in its life here. */
  enum State { LOADING, READY }

  /**
   * A committed op kept for catching up: its version, its author's alias and its message,
   * encoded once for every receiver.
   */
  record WindowEntry(long v, String src, SharedText frame) {

    /**
     * The message as its author gets it on catching up: {@code src} its secret id, which is how
     * the sharedb client recognises its own op. The top-level {@code src} is the first in the
     * message ({@link Replies#op} writes it before the op body, and names are JSON strings, so
     * an earlier {@code "src":"} cannot occur).
     */
    SharedText forAuthor(String secret) {
      String text = frame.text();
      String field = "\"src\":\"" + src + "\"";
      int at = text.indexOf(field);
      return at < 0 ? frame
          : new SharedText(text.substring(0, at) + "\"src\":\"" + secret + "\"" + text.substring(at + field.length()));
    }
  }

  /** Someone waiting for the document to load. */
  record Waiter(java.util.function.Consumer<DocView> ready, java.util.function.Consumer<dev.tandem.schemas.OpError> failed) {}

  /**
   * The window holds at most this many characters of encoded ops besides its newest, whatever its
   * count: with messages of up to 1 MiB, a count alone let one document's window hold a gigabyte.
   */
  static final long WINDOW_CHARS = 4L * 1024 * 1024;

  private final DocKey key;
  private long windowChars;
  private State state = State.LOADING;
  private String loadRequest;
  private long timer = -1;
  private long version;
  private OtType type;
  private OtDocument content;
  private long lastUsed;
  private final Deque<WindowEntry> window = new ArrayDeque<>();
  private final List<CommittedOp> buffered = new ArrayList<>();
  private final Set<Peer> subscribers = new LinkedHashSet<>();
  private final Set<Peer> lockWatchers = new LinkedHashSet<>();
  private EditLocks locks = EditLocks.NONE;
  private final List<Waiter> waiting = new ArrayList<>();

  DocView(DocKey key) {
    this.key = key;
  }

  DocKey key() {
    return key;
  }

  boolean ready() {
    return state == State.READY;
  }

  long version() {
    return version;
  }

  /** The document's type; empty while it does not exist (never created, or deleted). */
  Optional<OtType> type() {
    return Optional.ofNullable(type);
  }

  long lastUsed() {
    return lastUsed;
  }

  // ---- changed by DocHub only ----

  void touch(long now) {
    lastUsed = now;
  }

  /** Starts (or restarts) a load: the request id its answer carries, the timer that fails it. */
  void loading(String request, long timerId) {
    state = State.LOADING;
    loadRequest = request;
    timer = timerId;
  }

  boolean loadingFor(String request) {
    return state == State.LOADING && request.equals(loadRequest);
  }

  boolean loadPending() {
    return loadRequest != null;
  }

  long timer() {
    return timer;
  }

  void addWaiter(Waiter w) {
    waiting.add(w);
  }

  /** The waiters, removed. */
  List<Waiter> takeWaiters() {
    List<Waiter> w = new ArrayList<>(waiting);
    waiting.clear();
    return w;
  }

  boolean hasWaiters() {
    return !waiting.isEmpty();
  }

  void loadFailed() {
    loadRequest = null;
  }

  void buffer(CommittedOp op) {
    buffered.add(op);
  }

  /** The ops that arrived while loading, in version order, removed. */
  List<CommittedOp> takeBuffered() {
    List<CommittedOp> ops = new ArrayList<>(buffered);
    buffered.clear();
    ops.sort((a, b) -> Long.compare(a.v(), b.v()));
    return ops;
  }

  /** Sets the state a snapshot reply carries and makes the document ready. */
  void load(long v, String typeUri, JsonNode data) {
    version = v;
    encoded = null;
    window.clear();
    windowChars = 0;
    if (typeUri == null) {
      type = null;
      content = null;
    } else {
      type = OtTypes.byNameOrUri(typeUri).orElseThrow(() -> new IllegalStateException("unknown type " + typeUri));
      content = type.open(data);
    }
    state = State.READY;
    loadRequest = null;
  }

  /** Applies the next committed op (its version must be the current one) and keeps it for catching up. */
  WindowEntry apply(CommittedOp op, int windowSize) {
    switch (op.kind()) {
      case "create" -> {
        type = OtTypes.byNameOrUri(op.create().type()).orElseThrow();
        content = type.open(type.create(op.create().data()));
        locks = EditLocks.NONE;
      }
      case "del" -> {
        type = null;
        content = null;
        locks = EditLocks.NONE;
      }
      default -> {
        content.apply(op.op());
        locks = locks.transform(type, op.op());
      }
    }
    version++;
    encoded = null;
    WindowEntry entry = new WindowEntry(op.v(), op.src(), new SharedText(Replies.op(op).toString()));
    window.addLast(entry);
    long size = entry.frame().text().length();
    windowChars += size;
    while (window.size() > windowSize || window.size() > 1 && windowChars - size > WINDOW_CHARS) {
      windowChars -= window.removeFirst().frame().text().length();
    }
    return entry;
  }

  void subscribe(Peer peer) {
    subscribers.add(peer);
  }

  void unsubscribe(Peer peer) {
    subscribers.remove(peer);
    lockWatchers.remove(peer);
  }

  /** The edit locks as the event log has them here (expired ones until a change drops them). */
  EditLocks locks() {
    return locks;
  }

  void locks(EditLocks table) {
    locks = table;
  }

  void watchLocks(Peer peer) {
    lockWatchers.add(peer);
  }

  Set<Peer> lockWatchers() {
    return Collections.unmodifiableSet(lockWatchers);
  }

  // ---- read by all ----

  Set<Peer> subscribers() {
    return Collections.unmodifiableSet(subscribers);
  }

  /** The oldest version whose op is still in the window. */
  long windowStart() {
    return window.isEmpty() ? version : window.peekFirst().v();
  }

  /** The kept ops with versions in {@code [from, to)}. */
  List<WindowEntry> ops(long from, long to) {
    List<WindowEntry> ops = new ArrayList<>();
    for (WindowEntry e : window) {
      if (e.v() >= from && e.v() < to) {
        ops.add(e);
      }
    }
    return ops;
  }

  /**
   * {@link #snapshotData()} encoded, for replies: every fetch and subscribe at one version shares
   * one encoding. Rendering and encoding a large document per request was what one client
   * subscribing over and over to a 1 MB document made the hub's loop do (JFR: most of its time).
   * Kept softly: memory pressure drops it, and it is rebuilt when asked for again.
   */
  RawValue snapshotJson() {
    RawValue json = encoded == null ? null : encoded.get();
    if (json == null) {
      json = new RawValue(snapshotData().toString());
      encoded = new SoftReference<>(json);
    }
    return json;
  }

  /** The current version's {@link #snapshotJson()}; cleared wherever the content or version changes (load, apply). */
  private SoftReference<RawValue> encoded;

  /** The snapshot as ShareDB sends it: {@code {"v": n, "data": ..., "type": uri or null}}. */
  ObjectNode snapshotData() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("v", version);
    if (content != null) {
      o.set("data", content.snapshot());
      o.put("type", type.uri());
    } else {
      o.putNull("type");
    }
    return o;
  }
}
