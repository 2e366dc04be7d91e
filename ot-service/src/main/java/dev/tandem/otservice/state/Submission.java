package dev.tandem.otservice.state;

import static dev.tandem.schemas.ShareDbErrors.DOC_ALREADY_CREATED;
import static dev.tandem.schemas.ShareDbErrors.DOC_DOES_NOT_EXIST;
import static dev.tandem.schemas.ShareDbErrors.DOC_TYPE_NOT_RECOGNIZED;
import static dev.tandem.schemas.ShareDbErrors.DOC_WAS_DELETED;
import static dev.tandem.schemas.ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT;
import static dev.tandem.schemas.ShareDbErrors.OT_OP_BADLY_FORMED;
import static dev.tandem.schemas.ShareDbErrors.OT_OP_NOT_APPLIED;
import static dev.tandem.schemas.ShareDbErrors.SUBMIT_TRANSFORM_OPS_NOT_FOUND;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * The server side of a ShareDB submit, as ShareDB's SubmitRequest does it: find the op's base
 * version, recognise a resubmission by its (src, seq), transform the op (LEFT) against every
 * op committed since its base version, apply it, and commit it as the next version.
 */
public final class Submission {

  private Submission() {}

  /** Decides {@code op} against {@code doc}; a commit is applied to {@code doc}. */
  public static SubmitOutcome submit(DocumentState doc, SubmittedOp op, long now) {
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
    return commit(doc, op, edit, now);
  }

  private static java.util.Optional<SubmitOutcome> findDuplicate(DocumentState doc, SubmittedOp op, long from) {
    for (Iterator<WindowOp> it = doc.opsFrom(from); it.hasNext();) {
      WindowOp w = it.next();
      if (w.src().equals(op.src()) && w.seq() == op.seq()) {
        return java.util.Optional.of(new Duplicate(w.v()));
      }
    }
    return java.util.Optional.empty();
  }

  /** The op transformed past {@code applied}, or a rejection (ShareDB's ot.transform). */
  private static Object transform(SubmittedOp op, JsonNode edit, WindowOp applied) {
    boolean mineIsEdit = op.kind().equals("op");
    boolean mineIsCreate = op.kind().equals("create");
    switch (applied.kind()) {
      case "del" -> {
        if (mineIsEdit || mineIsCreate) {
          return reject(DOC_WAS_DELETED, "Document was deleted");
        }
        return edit;
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
          return reject(OT_OP_BADLY_FORMED, e.getMessage());
        }
      }
    }
  }

  private static SubmitOutcome commit(DocumentState doc, SubmittedOp op, JsonNode edit, long now) {
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
      }
      case "op" -> {
        if (doc.type().isEmpty()) {
          return reject(DOC_DOES_NOT_EXIST, "Document does not exist");
        }
        try {
          doc.apply(committed);
        } catch (OtException e) {
          return reject(OT_OP_NOT_APPLIED, e.getMessage());
        }
        return new Committed(committed);
      }
      default -> { }
    }
    doc.apply(committed);
    return new Committed(committed);
  }

  static Rejected reject(String code, String message) {
    return new Rejected(new OpError(code, message));
  }
}
