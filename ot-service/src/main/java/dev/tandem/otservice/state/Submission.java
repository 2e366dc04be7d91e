package dev.tandem.otservice.state;

import static dev.tandem.schemas.ShareDbErrors.DOC_ALREADY_CREATED;
import static dev.tandem.schemas.ShareDbErrors.DOC_DOES_NOT_EXIST;
import static dev.tandem.schemas.ShareDbErrors.DOC_TOO_DEEP;
import static dev.tandem.schemas.ShareDbErrors.DOC_TOO_LARGE;
import static dev.tandem.schemas.ShareDbErrors.DOC_TYPE_NOT_RECOGNIZED;
import static dev.tandem.schemas.ShareDbErrors.DOC_WAS_DELETED;
import static dev.tandem.schemas.ShareDbErrors.LOCKED;
import static dev.tandem.schemas.ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT;
import static dev.tandem.schemas.ShareDbErrors.OT_OP_BADLY_FORMED;
import static dev.tandem.schemas.ShareDbErrors.OT_OP_NOT_APPLIED;
import static dev.tandem.schemas.ShareDbErrors.SUBMIT_TRANSFORM_OPS_NOT_FOUND;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.EditLocks;
import dev.tandem.ot.JsonMeasure;
import dev.tandem.ot.OtException;
import dev.tandem.ot.OtType;
import dev.tandem.ot.OtTypes;
import dev.tandem.ot.Side;
import dev.tandem.otservice.state.SubmitOutcome.Committed;
import dev.tandem.otservice.state.SubmitOutcome.Duplicate;
import dev.tandem.otservice.state.SubmitOutcome.Rejected;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.SubmittedOp;
import java.util.Iterator;
import java.util.Optional;

/**
 * The server side of a ShareDB submit, as ShareDB's SubmitRequest does it: check the op against
 * the document's type, find the op's base version, recognise a resubmission by its (src, seq),
 * transform the op (LEFT) against every op committed since its base version, apply it, and
 * commit it as the next version; with the document limits of {@link DocLimits} on top.
 *
 * <p>Deletes follow ShareDB's client and the event log's rules: deleting a document that does
 * not exist is {@code ERR_DOC_DOES_NOT_EXIST}; a delete transformed past another delete is
 * {@code ERR_DOC_WAS_DELETED}, so of two concurrent deletes exactly one commits.
 */
public final class Submission {

  private Submission() {}

  /** {@link #submit(DocumentState, SubmittedOp, DocLimits, long)} with the default limits. */
  public static SubmitOutcome submit(DocumentState doc, SubmittedOp op, long now) {
    return submit(doc, op, DocLimits.DEFAULT, now);
  }

  /** Decides {@code op} against {@code doc}; a commit is applied to {@code doc}. */
  public static SubmitOutcome submit(DocumentState doc, SubmittedOp op, DocLimits limits, long now) {
    if (SubmittedOp.LOCK.equals(op.kind())) {
      return LockRequests.decide(doc, op, limits, now);
    }
    Optional<Rejected> refused = check(doc, op, limits);
    if (refused.isPresent()) {
      return refused.get();
    }
    long base;
    if (op.v() == null) {
      if (op.kind().equals("create") && doc.type().isPresent()) {
        return findDuplicate(doc, op, doc.windowStart())
            .orElse(reject(DOC_ALREADY_CREATED, "Invalid op submitted. Document already created"));
      }
      base = doc.version();
    } else {
      base = op.v();
    }
    if (base > doc.version()) {
      return reject(OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT,
          "Cannot submit op. Its version " + base + " is newer than the document's version " + doc.version());
    }
    if (base < doc.windowStart()) {
      return reject(SUBMIT_TRANSFORM_OPS_NOT_FOUND, "The op is based on version " + base
          + ", older than the history kept (from version " + doc.windowStart() + "); fetch the document and resubmit");
    }
    SubmitOutcome dup = findDuplicate(doc, op, base).orElse(null);
    if (dup != null) {
      return dup;
    }
    JsonNode edit = op.op();
    for (Iterator<WindowOp> it = doc.opsFrom(base); it.hasNext();) {
      WindowOp applied = it.next();
      Object result = transform(op, edit, applied);
      if (result instanceof Rejected r) {
        return r;
      }
      edit = (JsonNode) result;
    }
    Optional<Rejected> locked = locked(doc, op, edit, now);
    if (locked.isPresent()) {
      return locked.get();
    }
    return commit(doc, op, edit, limits, now);
  }

  /**
   * {@code ERR_LOCKED} for an edit (as transformed to the current version) that changes what
   * someone else's live lock covers, and for a delete of a document someone else holds a lock in.
   */
  private static Optional<Rejected> locked(DocumentState doc, SubmittedOp op, JsonNode edit, long now) {
    if (doc.locks().isEmpty() || doc.type().isEmpty()) {
      return Optional.empty();
    }
    Optional<EditLocks.Lock> holder = switch (op.kind()) {
      case "op" -> doc.locks().blocking(doc.type().get(), edit, op.src(), now);
      case "del" -> doc.locks().live(now).all().stream().filter(l -> !l.src().equals(op.src())).findFirst();
      default -> Optional.empty();
    };
    return holder.map(l -> new Rejected(new OpError(LOCKED, "Locked by " + l.holder()), l));
  }

  /**
   * What ShareDB checks before it looks at versions ({@code ot.checkSubmittedOpForType}), and
   * the depth of what the op or create would build, which needs no document.
   */
  private static Optional<Rejected> check(DocumentState doc, SubmittedOp op, DocLimits limits) {
    if (op.kind().equals("op") && doc.type().isPresent()) {
      OtType type = doc.type().get();
      try {
        type.checkOp(op.op());
      } catch (OtException e) {
        return Optional.of(opError(e));
      }
      int depth = type.nestingDepth(op.op());
      if (depth > limits.maxDepth()) {
        return Optional.of(tooDeep(depth, limits));
      }
    }
    if (op.kind().equals("create") && op.create() != null) {
      int depth = JsonMeasure.depth(op.create().data());
      if (depth > limits.maxDepth()) {
        return Optional.of(tooDeep(depth, limits));
      }
    }
    return Optional.empty();
  }

  private static Rejected tooDeep(int depth, DocLimits limits) {
    return reject(DOC_TOO_DEEP, "The op would nest the document " + depth + " levels deep; at most "
        + limits.maxDepth() + " are allowed");
  }

  private static Optional<SubmitOutcome> findDuplicate(DocumentState doc, SubmittedOp op, long from) {
    for (Iterator<WindowOp> it = doc.opsFrom(from); it.hasNext();) {
      WindowOp w = it.next();
      if (w.src().equals(op.src()) && w.seq() == op.seq()) {
        return Optional.of(new Duplicate(w.v()));
      }
    }
    return Optional.empty();
  }

  /** The op transformed past {@code applied}, or a rejection (ShareDB's ot.transform). */
  private static Object transform(SubmittedOp op, JsonNode edit, WindowOp applied) {
    boolean mineIsEdit = op.kind().equals("op");
    boolean mineIsCreate = op.kind().equals("create");
    switch (applied.kind()) {
      case "del" -> {
        // ShareDB lets a delete pass a delete; the log would then delete a deleted document.
        return reject(DOC_WAS_DELETED, "Document was deleted");
      }
      case "create" -> {
        return reject(DOC_ALREADY_CREATED, "Document was created remotely");
      }
      default -> {
        if (mineIsCreate) {
          return reject(DOC_ALREADY_CREATED, "Document was created remotely");
        }
        if (!mineIsEdit) {
          return edit;
        }
        try {
          return applied.type().transform(edit, applied.op(), Side.LEFT);
        } catch (OtException e) {
          return opError(e);
        }
      }
    }
  }

  private static SubmitOutcome commit(DocumentState doc, SubmittedOp op, JsonNode edit, DocLimits limits, long now) {
    CommittedOp committed = new CommittedOp(1, op.kind(), op.c(), op.d(), doc.version(), op.src(), op.seq(),
        op.kind().equals("op") ? edit : null, op.create(), op.kind().equals("del") ? Boolean.TRUE : null, now, op.user());
    switch (op.kind()) {
      case "create" -> {
        if (doc.type().isPresent()) {
          return reject(DOC_ALREADY_CREATED, "Document already exists");
        }
        OtType type = OtTypes.byNameOrUri(op.create().type()).orElse(null);
        if (type == null) {
          return reject(DOC_TYPE_NOT_RECOGNIZED, "Unknown type " + op.create().type());
        }
        try {
          type.create(op.create().data());
        } catch (OtException e) {
          return reject(OT_OP_BADLY_FORMED, "Invalid create data: " + e.getMessage());
        }
        long size = JsonBytes.count(op.create().data());
        if (size > limits.maxBytes()) {
          return tooLarge(size, limits);
        }
      }
      case "op" -> {
        if (doc.type().isEmpty()) {
          return reject(DOC_DOES_NOT_EXIST, "Document does not exist");
        }
        Optional<Rejected> large = checkSize(doc, edit, limits);
        if (large.isPresent()) {
          return large.get();
        }
        try {
          doc.apply(committed);
        } catch (OtException e) {
          return opError(e);
        }
        return new Committed(committed);
      }
      case "del" -> {
        if (doc.type().isEmpty()) {
          return reject(DOC_DOES_NOT_EXIST, "Document does not exist");
        }
      }
      default -> { }
    }
    doc.apply(committed);
    return new Committed(committed);
  }

  /**
   * Refuses an op that could grow the document past the limit. The bound is the document's size
   * estimate plus the op's own serialized size; when that is over, and the estimate has drifted
   * by more than 1/64 of the limit since it was exact, the document is measured once (one
   * serialization) before the op is refused, so that deletes do not leave a document refused
   * for a size it no longer has.
   */
  private static Optional<Rejected> checkSize(DocumentState doc, JsonNode edit, DocLimits limits) {
    long added = JsonBytes.count(edit) + 16L * edit.size();
    if (doc.estimatedBytes() + added <= limits.maxBytes()) {
      return Optional.empty();
    }
    if (doc.estimateDrift() > limits.maxBytes() / 64 && doc.measure() + added <= limits.maxBytes()) {
      return Optional.empty();
    }
    return Optional.of(tooLarge(doc.estimatedBytes() + added, limits));
  }

  private static Rejected tooLarge(long size, DocLimits limits) {
    return reject(DOC_TOO_LARGE, "The document would grow to about " + size + " bytes; at most " + limits.maxBytes()
        + " are allowed");
  }

  private static Rejected opError(OtException e) {
    return reject(e.kind() == OtException.Kind.BADLY_FORMED ? OT_OP_BADLY_FORMED : OT_OP_NOT_APPLIED, e.getMessage());
  }

  static Rejected reject(String code, String message) {
    return new Rejected(new OpError(code, message));
  }
}
