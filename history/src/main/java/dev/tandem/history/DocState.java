package dev.tandem.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.ot.OtTypes;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.SnapshotRecord;

/** A document being replayed: its version, type and content. */
public final class DocState {

  private long v;
  private OtType type;
  private OtDocument content;
  private long lastTs;

  public long version() {
    return v;
  }

  public OtType type() {
    return type;
  }

  /** The content, or JSON null when the document does not exist (never created, or deleted). */
  public JsonNode data() {
    return content == null ? NullNode.getInstance() : content.snapshot();
  }

  /** Commit time of the last op applied, 0 before any. */
  public long lastTimestamp() {
    return lastTs;
  }

  /** Starts from a snapshot record instead of version 0. */
  public void load(SnapshotRecord s) {
    v = s.v();
    lastTs = s.ts();
    if (s.type() == null) {
      type = null;
      content = null;
    } else {
      type = OtTypes.byNameOrUri(s.type()).orElseThrow(() -> new OtException("unknown type " + s.type()));
      content = type.open(s.data());
    }
  }

  /**
   * Applies the next committed op. Throws {@link OtException} when it does not apply and
   * {@link IllegalStateException} when its version is not the next one; the state is then unchanged.
   */
  public void apply(CommittedOp op) {
    if (!op.versioned()) {
      return; // a change of the edit locks: the content and the version stay
    }
    if (op.v() != v) {
      throw new IllegalStateException("expected v" + v + ", found v" + op.v());
    }
    switch (op.kind()) {
      case "create" -> {
        if (content != null) {
          throw new OtException("create of a document that exists");
        }
        OtType t = OtTypes.byNameOrUri(op.create().type())
            .orElseThrow(() -> new OtException("unknown type " + op.create().type()));
        content = t.open(t.create(op.create().data()));
        type = t;
      }
      case "del" -> {
        if (content == null) {
          throw new OtException("delete of a document that does not exist");
        }
        content = null;
        type = null;
      }
      default -> {
        if (content == null) {
          throw new OtException("op on a document that does not exist");
        }
        content.apply(op.op());
      }
    }
    v++;
    lastTs = op.ts();
  }
}
