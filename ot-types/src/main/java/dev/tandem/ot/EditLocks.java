package dev.tandem.ot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.text.TextComponent;
import dev.tandem.ot.text.TextOp;
import dev.tandem.ot.text.TextOpCodec;
import dev.tandem.ot.text.TextOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The edit locks of one document: who holds which json0 path (a whiteboard shape, a card) or
 * which range of a text-unicode document, until when. Immutable; every change returns a new
 * table. The same code runs in ot-service (which decides) and in the gateway (which shows), so
 * both move a lock through an op the same way.
 *
 * <p>What a lock blocks: an op of someone else (another connection) that changes what the lock
 * covers. For a path, any component whose target is the locked element, inside it, or one that
 * holds it, except inserts and moves that only shift it in its list (adding a shape next to a
 * locked one is not touching it). For a range {@code [start, end)}, deleting any of its
 * characters or inserting strictly inside it; typing right before or after it is free.
 *
 * <p>How a lock moves: a path follows list inserts, deletes and moves as json0 presence does,
 * and the lock ends when its element is deleted or replaced (only its holder can do that). A
 * range's start is pushed by an insert at it (the text goes before the range), its end is not.
 */
public final class EditLocks {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  public static final EditLocks NONE = new EditLocks(List.of());

  /** One lock: {@code path} (json0, or empty for a whole document) or a text range; never both. */
  public record Lock(String id, String src, String user, String name, JsonNode path, int start, int end,
      long expires) {

    public boolean isRange() {
      return start >= 0;
    }

    /** Who holds it, as people see it. */
    public String holder() {
      return name != null && !name.isEmpty() ? name : user != null ? user : "someone else";
    }

    Lock moved(JsonNode newPath, int newStart, int newEnd) {
      return new Lock(id, src, user, name, newPath, newStart, newEnd, expires);
    }

    public ObjectNode toJson() {
      ObjectNode o = NODES.objectNode();
      o.put("id", id);
      o.put("src", src);
      if (user != null) {
        o.put("user", user);
      }
      if (name != null) {
        o.put("name", name);
      }
      if (isRange()) {
        o.set("r", NODES.arrayNode().add(start).add(end));
      } else {
        o.set("p", path.deepCopy());
      }
      o.put("expires", expires);
      return o;
    }

    static Lock fromJson(JsonNode o) {
      JsonNode r = o.get("r");
      int start = -1;
      int end = -1;
      if (r != null && r.isArray() && r.size() == 2) {
        start = r.get(0).intValue();
        end = r.get(1).intValue();
      }
      JsonNode p = o.get("p");
      return new Lock(text(o, "id"), text(o, "src"), text(o, "user"), text(o, "name"),
          p == null || !p.isArray() ? NODES.arrayNode() : p.deepCopy(), start, end, o.path("expires").asLong());
    }

    private static String text(JsonNode o, String field) {
      JsonNode v = o.get(field);
      return v == null || !v.isTextual() ? null : v.textValue();
    }
  }

  private final List<Lock> locks;

  private EditLocks(List<Lock> locks) {
    this.locks = List.copyOf(locks);
  }

  /** A table from its JSON form ({@link #toJson}); an absent or null value is no locks. */
  public static EditLocks fromJson(JsonNode json) {
    if (json == null || !json.isArray() || json.isEmpty()) {
      return NONE;
    }
    List<Lock> out = new ArrayList<>(json.size());
    json.forEach(o -> out.add(Lock.fromJson(o)));
    return new EditLocks(out);
  }

  public ArrayNode toJson() {
    ArrayNode a = NODES.arrayNode();
    locks.forEach(l -> a.add(l.toJson()));
    return a;
  }

  public List<Lock> all() {
    return locks;
  }

  public boolean isEmpty() {
    return locks.isEmpty();
  }

  public int size() {
    return locks.size();
  }

  /** How many locks {@code src} holds. */
  public int heldBy(String src) {
    return (int) locks.stream().filter(l -> l.src().equals(src)).count();
  }

  /** The earliest expiry, or {@link Long#MAX_VALUE} when there are no locks. */
  public long nextExpiry() {
    return locks.stream().mapToLong(Lock::expires).min().orElse(Long.MAX_VALUE);
  }

  /** Without the locks expired at {@code now}. */
  public EditLocks live(long now) {
    if (locks.stream().allMatch(l -> l.expires() > now)) {
      return this;
    }
    return new EditLocks(locks.stream().filter(l -> l.expires() > now).toList());
  }

  /** A live lock of someone other than {@code src} that overlaps {@code wanted}. */
  public Optional<Lock> conflict(Lock wanted, long now) {
    for (Lock l : locks) {
      if (l.expires() > now && !l.src().equals(wanted.src()) && overlaps(l, wanted)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /** With {@code lock} (replacing its holder's lock of the same id). */
  public EditLocks with(Lock lock) {
    List<Lock> out = new ArrayList<>(locks.size() + 1);
    for (Lock l : locks) {
      if (!(l.src().equals(lock.src()) && l.id().equals(lock.id()))) {
        out.add(l);
      }
    }
    out.add(lock);
    return new EditLocks(out);
  }

  /** Without {@code src}'s lock {@code id}; without all of {@code src}'s locks when {@code id} is null. */
  public EditLocks without(String src, String id) {
    return new EditLocks(locks.stream()
        .filter(l -> !(l.src().equals(src) && (id == null || l.id().equals(id)))).toList());
  }

  /** The first live lock of someone other than {@code src} that {@code op} of {@code type} changes. */
  public Optional<Lock> blocking(OtType type, JsonNode op, String src, long now) {
    for (Lock l : locks) {
      if (l.expires() > now && !l.src().equals(src) && touches(type, op, l)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /** Every lock moved through a committed {@code op}; a lock whose element it removed ends. */
  public EditLocks transform(OtType type, JsonNode op) {
    if (locks.isEmpty()) {
      return this;
    }
    List<Lock> out = new ArrayList<>(locks.size());
    for (Lock l : locks) {
      Lock moved = move(type, op, l);
      if (moved != null) {
        out.add(moved);
      }
    }
    return new EditLocks(out);
  }

  private static boolean overlaps(Lock a, Lock b) {
    if (a.isRange() && b.isRange()) {
      return a.start() < b.end() && b.start() < a.end() || a.start() == b.start() && a.end() == b.end();
    }
    if (a.isRange() || b.isRange()) {
      // A path lock on a text document is the whole document (the path is []).
      return true;
    }
    return prefix(a.path(), b.path()) || prefix(b.path(), a.path());
  }

  private static boolean touches(OtType type, JsonNode op, Lock l) {
    if (type instanceof dev.tandem.ot.text.TextUnicodeType) {
      return !l.isRange() || touchesRange(TextOpCodec.parse(op), l.start(), l.end());
    }
    for (JsonNode c : op) {
      JsonNode p = c.get("p");
      boolean stringEdit = c.has("si") || c.has("sd");
      JsonNode target = stringEdit ? parent(p) : p;
      boolean pureInsert = c.has("li") && !c.has("ld");
      if (pureInsert) {
        // An insert at the lock's index shifts the locked element; one inside it changes it.
        if (prefix(l.path(), target) && target.size() > l.path().size()) {
          return true;
        }
        continue;
      }
      if (c.has("lm")) {
        if (prefix(l.path(), target)) {
          return true;
        }
        continue;
      }
      if (prefix(l.path(), target) || prefix(target, l.path())) {
        return true;
      }
    }
    return false;
  }

  private static boolean touchesRange(TextOp op, int start, int end) {
    int pos = 0;
    for (TextComponent c : op.components()) {
      if (c instanceof TextComponent.Retain r) {
        pos += r.count();
      } else if (c instanceof TextComponent.Insert) {
        if (pos > start && pos < end) {
          return true;
        }
      } else {
        int n = c.count();
        if (pos < end && start < pos + n) {
          return true;
        }
        pos += n;
      }
      if (pos >= end) {
        return false;
      }
    }
    return false;
  }

  private static Lock move(OtType type, JsonNode op, Lock l) {
    if (type instanceof dev.tandem.ot.text.TextUnicodeType) {
      if (!l.isRange()) {
        return l;
      }
      TextOp parsed = TextOpCodec.parse(op);
      int start = TextOps.transformPosition(l.start(), parsed, true);
      int end = Math.max(start, TextOps.transformPosition(l.end(), parsed, false));
      return l.moved(l.path(), start, end);
    }
    if (l.path().isEmpty()) {
      return l;
    }
    ObjectNode presence = NODES.objectNode();
    presence.set("p", l.path());
    JsonNode moved = type.transformPresence(presence, op, false);
    if (moved == null || moved.isNull()) {
      return null;
    }
    return l.moved(moved.get("p"), -1, -1);
  }

  private static JsonNode parent(JsonNode path) {
    ArrayNode a = NODES.arrayNode();
    for (int i = 0; i < path.size() - 1; i++) {
      a.add(path.get(i));
    }
    return a;
  }

  /** Whether {@code a} is a prefix of (or equal to) {@code b}; path elements compare as JSON values. */
  private static boolean prefix(JsonNode a, JsonNode b) {
    if (a.size() > b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!same(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean same(JsonNode x, JsonNode y) {
    if (x.isNumber() && y.isNumber()) {
      return x.asLong() == y.asLong();
    }
    return x.equals(y);
  }
}
