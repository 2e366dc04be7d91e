package dev.tandem.otservice.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.tandem.ot.EditLocks;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.ot.OtTypes;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.SnapshotRecord;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * One document as its owner holds it: content, version, edit locks, and a bounded window of the
 * ops committed most recently. Not thread-safe; one partition's thread owns it.
 *
 * <p>Two counters: the version counts ops (creates, edits, deletes), as clients see it; the
 * revision counts every record of the event log applied, lock changes too, and decides what a
 * snapshot must hold and where a new owner replays from.
 */
public final class DocumentState {

  /**
   * The window holds at most this many bytes of ops besides its newest, whatever its count: with
   * messages of up to 1 MiB, a count alone let one document's window hold a gigabyte.
   */
  static final long WINDOW_BYTES = 4L * 1024 * 1024;

  private final DocKey key;
  private final int windowSize;
  private final Deque<WindowOp> window = new ArrayDeque<>();
  private long windowBytes;
  private long version;
  private OtType type;
  private OtDocument content;
  private EditLocks locks = EditLocks.NONE;
  private long revision;
  private long lastSnapshotRevision;
  private long lastSnapshotVersion;
  private long lastOffset = -1;
  /** The event-log offset of the first op after the last snapshot, -1 when there is none. */
  private long firstUnsnapshottedOffset = -1;
  /** The version at which a snapshot could not be written, -1 when none failed. */
  private long snapshotRefusedAt = -1;
  /** An upper bound of the serialized content's size in bytes, exact after {@link #measured}. */
  private long bytes = 4;
  /** How much of {@link #bytes} is estimated: what ops added since the last exact measure. */
  private long drift;

  private DocumentState(DocKey key, int windowSize) {
    this.key = key;
    this.windowSize = windowSize;
  }

  /** A document nobody has created yet. */
  public static DocumentState empty(DocKey key, int windowSize) {
    return new DocumentState(key, windowSize);
  }

  /** A document as a snapshot left it; its window starts empty at the snapshot's version. */
  public static DocumentState fromSnapshot(SnapshotRecord s, int windowSize) {
    DocumentState d = new DocumentState(s.key(), windowSize);
    d.version = s.v();
    d.lastSnapshotVersion = s.v();
    d.lastOffset = s.offset();
    d.locks = EditLocks.fromJson(s.locks());
    if (s.type() != null) {
      d.type = OtTypes.byNameOrUri(s.type())
          .orElseThrow(() -> new IllegalStateException("snapshot of " + s.key() + " has unknown type " + s.type()));
      d.content = d.type.open(s.data() == null ? NullNode.instance : s.data());
      d.bytes = JsonBytes.count(s.data());
    }
    return d;
  }

  public DocKey key() {
    return key;
  }

  /** The version: how many ops have been committed. The next op gets {@code v = version()}. */
  public long version() {
    return version;
  }

  /** The type, empty while the document does not exist. */
  public Optional<OtType> type() {
    return Optional.ofNullable(type);
  }

  /** The content as a snapshot value; JSON null while the document does not exist. */
  public JsonNode data() {
    return content == null ? NullNode.instance : content.snapshot();
  }

  /** The version of the oldest op still in the window: ops based on older versions cannot be transformed. */
  public long windowStart() {
    return window.isEmpty() ? version : window.peekFirst().v();
  }

  /** The window's ops from version {@code from} on, oldest first. */
  public Iterator<WindowOp> opsFrom(long from) {
    return window.stream().filter(o -> o.v() >= from).iterator();
  }

  /** The edit locks, expired ones included until a change drops them. */
  public EditLocks locks() {
    return locks;
  }

  public long lastSnapshotVersion() {
    return lastSnapshotVersion;
  }

  /** How many records of the event log this state has applied since it was created or loaded. */
  public long revision() {
    return revision;
  }

  /** A snapshot of the state at {@code atRevision} (and {@code atVersion}) was written. */
  public void snapshotWritten(long atVersion, long atRevision) {
    lastSnapshotVersion = atVersion;
    lastSnapshotRevision = atRevision;
    if (atRevision == revision) {
      firstUnsnapshottedOffset = -1;
    }
    snapshotRefusedAt = -1;
  }

  /** A snapshot of the current state could not be written (it cannot be encoded or is too large). */
  public void snapshotRefused() {
    snapshotRefusedAt = revision;
  }

  /** Whether a snapshot of the current state was tried and could not be written: do not try again. */
  public boolean snapshotRefusedNow() {
    return snapshotRefusedAt == revision;
  }

  /**
   * Where in the event log a new owner must start replaying to rebuild this document: the
   * offset of its first op after its last snapshot; -1 when the snapshot is current.
   */
  public long firstUnsnapshottedOffset() {
    return dirty() ? firstUnsnapshottedOffset : -1;
  }

  /**
   * An upper bound of the content's serialized size: exact after a create, a delete, a load or
   * {@link #measured}; each op adds its own serialized size (plus 16 bytes a component for the
   * digits an {@code na} may add), which bounds what it can insert.
   */
  public long estimatedBytes() {
    return bytes;
  }

  /** How much of {@link #estimatedBytes} ops added since the size was last exact. */
  public long estimateDrift() {
    return drift;
  }

  /** Records the exact size (or a close upper bound, such as its snapshot record's length). */
  public void measured(long exactBytes) {
    bytes = exactBytes;
    drift = 0;
  }

  /** Measures the content now: costs one serialization of the document. */
  public long measure() {
    measured(JsonBytes.count(data()));
    return bytes;
  }

  /** Whether records (ops or lock changes) were applied since the last snapshot. */
  public boolean dirty() {
    return revision > lastSnapshotRevision;
  }

  /** The offset in the event log of the op that made the current version, -1 when unknown. */
  public long lastOffset() {
    return lastOffset;
  }

  /** The offset in the event log of the record applied last. */
  public void offsetOf(long offset) {
    lastOffset = offset;
    if (revision - 1 == lastSnapshotRevision) {
      firstUnsnapshottedOffset = offset;
    }
  }

  /**
   * Applies a committed record: its {@code v} must be the current version. Used both when a
   * submission commits and when the log is replayed. An op moves the edit locks (a lock on
   * what it deleted ends); a create or delete ends them all; a lock record replaces them.
   */
  public void apply(CommittedOp op) {
    if (op.v() != version) {
      throw new IllegalStateException(key + ": op v" + op.v() + " does not follow version " + version);
    }
    revision++;
    if (!op.versioned()) {
      locks = EditLocks.fromJson(op.lock().get("locks"));
      return;
    }
    long opBytes;
    switch (op.kind()) {
      case "create" -> {
        OtType t = OtTypes.byNameOrUri(op.create().type())
            .orElseThrow(() -> new OtException("unknown type " + op.create().type()));
        JsonNode created = t.create(op.create().data());
        content = t.open(created);
        type = t;
        locks = EditLocks.NONE;
        measured(JsonBytes.count(created));
        opBytes = bytes;
      }
      case "del" -> {
        type = null;
        content = null;
        locks = EditLocks.NONE;
        measured(4);
        opBytes = 4;
      }
      default -> {
        if (content == null) {
          throw new OtException(key + ": op v" + op.v() + " on a document that does not exist");
        }
        content.apply(op.op());
        locks = locks.transform(type, op.op());
        long added = JsonBytes.count(op.op()) + 16L * op.op().size();
        bytes += added;
        drift += added;
        opBytes = added;
      }
    }
    remember(WindowOp.of(op, type, opBytes));
    version++;
  }

  /**
   * Puts ops committed before the current window back into it (after a rebuild from a
   * snapshot): the contiguous run of {@code older} ending just below the window, up to the
   * last create or delete (before which the type differed), within the window's size.
   */
  public void prependHistory(java.util.List<CommittedOp> older) {
    for (int i = older.size() - 1; i >= 0 && window.size() < windowSize; i--) {
      CommittedOp op = older.get(i);
      if (op.v() != windowStart() - 1 || op.kind().equals("del")) {
        return;
      }
      long opBytes = JsonBytes.count(op.kind().equals("create") ? op.create().data() : op.op());
      if (windowBytes + opBytes > WINDOW_BYTES) {
        return;
      }
      windowBytes += opBytes;
      window.addFirst(WindowOp.of(op, type, opBytes));
      if (op.kind().equals("create")) {
        return;
      }
    }
  }

  private void remember(WindowOp op) {
    window.addLast(op);
    windowBytes += op.bytes();
    while (window.size() > windowSize || window.size() > 1 && windowBytes - op.bytes() > WINDOW_BYTES) {
      windowBytes -= window.removeFirst().bytes();
    }
  }

  /** A snapshot record of the current state. */
  public SnapshotRecord snapshot(long now) {
    return new SnapshotRecord(1, key.collection(), key.id(), version, type == null ? null : type.uri(),
        content == null ? null : content.snapshot(), lastOffset, now, locks.isEmpty() ? null : locks.toJson());
  }
}
