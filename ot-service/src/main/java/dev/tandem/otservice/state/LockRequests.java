package dev.tandem.otservice.state;

import static dev.tandem.schemas.ShareDbErrors.DOC_DOES_NOT_EXIST;
import static dev.tandem.schemas.ShareDbErrors.LOCKED;
import static dev.tandem.schemas.ShareDbErrors.LOCK_BADLY_FORMED;
import static dev.tandem.schemas.ShareDbErrors.LOCK_TARGET_GONE;
import static dev.tandem.schemas.ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT;
import static dev.tandem.schemas.ShareDbErrors.SUBMIT_TRANSFORM_OPS_NOT_FOUND;
import static dev.tandem.schemas.ShareDbErrors.TOO_MANY_LOCKS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.CodePoints;
import dev.tandem.ot.EditLocks;
import dev.tandem.ot.EditLocks.Lock;
import dev.tandem.ot.OtType;
import dev.tandem.otservice.state.SubmitOutcome.Committed;
import dev.tandem.otservice.state.SubmitOutcome.Rejected;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.SubmittedOp;
import java.util.Iterator;
import java.util.Optional;

/**
 * Edit-lock requests, decided in the document's order like ops: take (or renew) a lock on a
 * json0 path or a text range, release one, or release every lock of a connection that closed.
 * A granted change commits a {@code lock} record with the document's whole lock table, so that
 * a new owner rebuilds the table from the log and snapshots as it rebuilds the content.
 *
 * <p>A lock request names the version its path or range refers to; it is moved through the ops
 * committed since, as an op would be. Limits: {@link #MAX_PER_CONNECTION} locks per connection
 * and {@link #MAX_PER_DOCUMENT} per document, ids of at most 64 characters, a TTL between 1 and
 * 60 seconds (15 by default, the presence TTL: a holder that stops renewing loses it as its
 * presence goes).
 */
public final class LockRequests {

  public static final int MAX_PER_CONNECTION = 32;
  public static final int MAX_PER_DOCUMENT = 256;
  public static final long DEFAULT_TTL_MS = 15_000;
  static final long MIN_TTL_MS = 1_000;
  static final long MAX_TTL_MS = 60_000;

  private LockRequests() {}

  /** Decides {@code req} (kind {@code lock}) against {@code doc}; a granted change is applied to it. */
  public static SubmitOutcome decide(DocumentState doc, SubmittedOp req, DocLimits limits, long now) {
    if (doc.type().isEmpty()) {
      return Submission.reject(DOC_DOES_NOT_EXIST, "Document does not exist");
    }
    JsonNode lock = req.lock();
    String action = lock.path("action").asText("");
    String id = lock.path("id").isTextual() ? lock.get("id").textValue() : null;
    EditLocks live = doc.locks().live(now);
    EditLocks after;
    switch (action) {
      case "release" -> after = live.without(req.src(), null);
      case "unlock" -> {
        if (!validId(id)) {
          return badlyFormed("an unlock needs the lock's id, a string of 1 to 64 characters");
        }
        after = live.without(req.src(), id);
      }
      case "lock" -> {
        Object granted = grant(doc, req, id, live, limits, now);
        if (granted instanceof Rejected r) {
          return r;
        }
        after = live.with((Lock) granted);
      }
      default -> {
        return badlyFormed("lock action must be lock, unlock or release");
      }
    }
    ObjectNode change = JsonNodeFactory.instance.objectNode();
    change.put("action", action);
    if (id != null) {
      change.put("id", id);
    }
    change.put("request", req.request());
    change.put("gateway", req.gateway());
    change.set("locks", after.toJson());
    CommittedOp committed = new CommittedOp(1, CommittedOp.LOCK, req.c(), req.d(), doc.version(), req.src(),
        req.seq() == null ? 0 : req.seq(), null, null, null, now, req.user(), change);
    doc.apply(committed);
    return new Committed(committed);
  }

  /** The lock to add, or a rejection. */
  private static Object grant(DocumentState doc, SubmittedOp req, String id, EditLocks live, DocLimits limits,
      long now) {
    JsonNode lock = req.lock();
    if (!validId(id)) {
      return badlyFormed("a lock needs an id, a string of 1 to 64 characters");
    }
    long ttl = DEFAULT_TTL_MS;
    if (lock.has("ttl")) {
      JsonNode t = lock.get("ttl");
      if (!t.canConvertToExactIntegral() || t.asLong() < MIN_TTL_MS || t.asLong() > MAX_TTL_MS) {
        return badlyFormed("ttl must be a whole number of milliseconds from " + MIN_TTL_MS + " to " + MAX_TTL_MS);
      }
      ttl = t.asLong();
    }
    JsonNode nameNode = lock.get("name");
    String name = nameNode != null && nameNode.isTextual() ? truncate(nameNode.textValue(), 100) : null;
    OtType type = doc.type().get();
    boolean text = type.name().equals("text-unicode");
    JsonNode p = lock.get("p");
    JsonNode r = lock.get("r");
    if ((p == null) == (r == null)) {
      return badlyFormed("a lock covers a path (p) or a text range (r), one of the two");
    }
    Lock wanted;
    if (r != null) {
      if (!text) {
        return badlyFormed("text ranges can be locked in text-unicode documents; lock a json0 path with p");
      }
      if (!r.isArray() || r.size() != 2 || !position(r.get(0)) || !position(r.get(1))
          || r.get(0).asInt() > r.get(1).asInt()) {
        return badlyFormed("r must be [start, end] with 0 <= start <= end, in code points");
      }
      wanted = new Lock(id, req.src(), req.user(), name, JsonNodeFactory.instance.arrayNode(), r.get(0).asInt(),
          r.get(1).asInt(), now + ttl);
    } else {
      Optional<String> bad = checkPath(p, text, limits);
      if (bad.isPresent()) {
        return badlyFormed(bad.get());
      }
      wanted = new Lock(id, req.src(), req.user(), name, p.deepCopy(), -1, -1, now + ttl);
    }
    Object moved = toCurrentVersion(doc, req, wanted);
    if (moved instanceof Rejected rej) {
      return rej;
    }
    wanted = (Lock) moved;
    if (!exists(doc, wanted, text)) {
      return Submission.reject(LOCK_TARGET_GONE, "What the lock would cover is not in the document (any more)");
    }
    Optional<Lock> holder = live.conflict(wanted, now);
    if (holder.isPresent()) {
      return new Rejected(new OpError(LOCKED, "Locked by " + holder.get().holder()), holder.get());
    }
    boolean renewal = live.all().stream().anyMatch(l -> l.src().equals(req.src()) && l.id().equals(id));
    if (!renewal && live.heldBy(req.src()) >= MAX_PER_CONNECTION) {
      return Submission.reject(TOO_MANY_LOCKS, "A connection holds at most " + MAX_PER_CONNECTION
          + " locks in a document; release one first");
    }
    if (!renewal && live.size() >= MAX_PER_DOCUMENT) {
      return Submission.reject(TOO_MANY_LOCKS, "A document has at most " + MAX_PER_DOCUMENT + " locks at once");
    }
    return wanted;
  }

  /** The lock as of the current version: moved through the ops committed since the version it names. */
  private static Object toCurrentVersion(DocumentState doc, SubmittedOp req, Lock wanted) {
    long base = req.v() == null ? doc.version() : req.v();
    if (base > doc.version()) {
      return Submission.reject(OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT, "The lock names version " + base
          + ", newer than the document's version " + doc.version());
    }
    if (base < doc.windowStart()) {
      return Submission.reject(SUBMIT_TRANSFORM_OPS_NOT_FOUND, "The lock names version " + base
          + ", older than the history kept; fetch the document and ask again");
    }
    EditLocks one = EditLocks.NONE.with(wanted);
    for (Iterator<WindowOp> it = doc.opsFrom(base); it.hasNext();) {
      WindowOp w = it.next();
      if (!w.kind().equals("op")) {
        return Submission.reject(LOCK_TARGET_GONE, "The document was deleted or re-created since version " + base);
      }
      one = one.transform(w.type(), w.op());
      if (one.isEmpty()) {
        return Submission.reject(LOCK_TARGET_GONE, "What the lock would cover was deleted since version " + base);
      }
    }
    return one.all().get(0);
  }

  /** Whether the locked path leads somewhere in the document, or the range lies within its text. */
  private static boolean exists(DocumentState doc, Lock lock, boolean text) {
    JsonNode data = doc.data();
    if (text) {
      return !lock.isRange() || lock.end() <= CodePoints.count(data.textValue());
    }
    JsonNode at = data;
    for (JsonNode key : lock.path()) {
      if (at.isArray() && key.isIntegralNumber() && key.asInt() < at.size()) {
        at = at.get(key.asInt());
      } else if (at.isObject() && key.isTextual() && at.has(key.textValue())) {
        at = at.get(key.textValue());
      } else {
        return false;
      }
    }
    return true;
  }

  private static Optional<String> checkPath(JsonNode p, boolean text, DocLimits limits) {
    if (!p.isArray()) {
      return Optional.of("p must be a json0 path (an array of keys and indexes)");
    }
    if (text && !p.isEmpty()) {
      return Optional.of("in a text-unicode document p can only be [] (the whole document); lock a range with r");
    }
    if (p.size() > limits.maxDepth()) {
      return Optional.of("p is deeper than documents may be (" + limits.maxDepth() + ")");
    }
    for (JsonNode k : p) {
      boolean ok = k.isTextual() && k.textValue().length() <= 1024 || position(k);
      if (!ok) {
        return Optional.of("p holds a key that is neither a string nor an index >= 0: " + k);
      }
    }
    return Optional.empty();
  }

  private static boolean position(JsonNode n) {
    return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.asInt() >= 0;
  }

  private static boolean validId(String id) {
    return id != null && !id.isEmpty() && id.length() <= 64;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static Rejected badlyFormed(String message) {
    return Submission.reject(LOCK_BADLY_FORMED, message);
  }
}
