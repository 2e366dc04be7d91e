package dev.tandem.otservice.kafka;

import static dev.tandem.schemas.ShareDbErrors.DOC_UNAVAILABLE;
import static dev.tandem.schemas.ShareDbErrors.MESSAGE_BADLY_FORMED;
import static dev.tandem.schemas.ShareDbErrors.OP_NOT_PROCESSED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tandem.ot.EditLocks;
import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.otservice.state.SubmitOutcome;
import dev.tandem.otservice.state.Submission;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.Reply;
import dev.tandem.schemas.SubmittedOp;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes one record of {@code tandem.ops.submitted} inside the open transaction: a load
 * is answered with the document's state, an op is decided by {@link Submission} and its
 * commit, rejection or duplicate ack sent. Every request that names its gateway gets an
 * answer: a record that does not decode cannot be answered and is skipped with a warning; one
 * whose key does not match its document (an id Kafka's key cannot carry, such as a lone
 * surrogate) is refused with {@code ERR_MESSAGE_BADLY_FORMED}; a document that cannot be loaded
 * with {@code ERR_DOC_UNAVAILABLE}; a record set aside as poison with {@code ERR_OP_NOT_PROCESSED}.
 */
final class SubmissionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(SubmissionHandler.class);

  /** A commit sent in the current transaction, waiting for its offset. */
  record Pending(PartitionState ps, DocumentState doc, ConsumerRecord<String, byte[]> record,
      Future<RecordMetadata> sent) {}

  private final OtServiceConfig config;
  private final ResidentDocuments docs;
  private final Outbox out;
  private final AtomicLong rejected;

  SubmissionHandler(OtServiceConfig config, ResidentDocuments docs, Outbox out, AtomicLong rejected) {
    this.config = config;
    this.docs = docs;
    this.out = out;
    this.rejected = rejected;
  }

  /** Handles {@code r}; a commit is returned so that its offset can be recorded after the flush. */
  Optional<Pending> handle(PartitionState ps, ConsumerRecord<String, byte[]> r) {
    Optional<SubmittedOp> decoded = decode(r);
    if (decoded.isEmpty()) {
      return Optional.empty();
    }
    SubmittedOp op = decoded.get();
    if (!op.key().value().equals(r.key())) {
      reject(ps, r, op, new OpError(MESSAGE_BADLY_FORMED, "Invalid collection or document id"));
      return Optional.empty();
    }
    Optional<DocumentState> loaded = docs.document(ps, op.key());
    if (loaded.isEmpty()) {
      reject(ps, r, op, new OpError(DOC_UNAVAILABLE, "The server cannot load this document; nothing was committed"));
      return Optional.empty();
    }
    DocumentState doc = loaded.get();
    if (SubmittedOp.LOAD.equals(op.kind())) {
      load(ps, r, op, doc);
      return Optional.empty();
    }
    SubmitOutcome outcome = Submission.submit(doc, op, config.limits(), System.currentTimeMillis());
    if (outcome instanceof SubmitOutcome.Committed c) {
      return Optional.of(new Pending(ps, doc, r, out.send(config.topics().committed(), ps.partition, r.key(),
          Records.encode(c.op()))));
    } else if (outcome instanceof SubmitOutcome.Duplicate d) {
      out.send(config.topics().replies(), ps.partition, r.key(), Records.encode(Reply.duplicate(op, d.v())));
    } else if (outcome instanceof SubmitOutcome.Rejected rej) {
      reject(ps, r, op, rej.error(), rej.holder());
    }
    return Optional.empty();
  }

  private void load(PartitionState ps, ConsumerRecord<String, byte[]> r, SubmittedOp op, DocumentState doc) {
    byte[] reply;
    try {
      EditLocks locks = doc.locks().live(System.currentTimeMillis());
      reply = Records.encode(Reply.snapshot(op, doc.version(), doc.type().map(t -> t.uri()).orElse(null), doc.data(),
          locks.isEmpty() ? null : locks.toJson()));
    } catch (RuntimeException e) {
      LOG.warn("cannot encode the state of {} for a load: {}", op.key(), e.getMessage());
      reject(ps, r, op, new OpError(DOC_UNAVAILABLE, "The server cannot send this document"));
      return;
    }
    out.send(config.topics().replies(), ps.partition, r.key(), reply);
  }

  /** Answers a record set aside as poison, when it can be answered; changes no document. */
  void answerPoison(PartitionState ps, ConsumerRecord<String, byte[]> r) {
    Optional<SubmittedOp> op = decode(r);
    LOG.warn("skipping submitted record at {}-{} that could not be processed{}", r.topic(), r.offset(),
        op.isPresent() ? "; its author gets ERR_OP_NOT_PROCESSED" : "");
    op.ifPresent(o -> reject(ps, r, o, new OpError(OP_NOT_PROCESSED,
        "The server could not process this request and skipped it; nothing was committed")));
  }

  private Optional<SubmittedOp> decode(ConsumerRecord<String, byte[]> r) {
    try {
      return Optional.of(Records.decode(r.value(), SubmittedOp.class));
    } catch (MalformedRecordException | IllegalArgumentException e) {
      LOG.warn("skipping malformed submitted record at {}-{}: {}", r.topic(), r.offset(), e.getMessage());
      return Optional.empty();
    }
  }

  private void reject(PartitionState ps, ConsumerRecord<String, byte[]> r, SubmittedOp op, OpError error) {
    reject(ps, r, op, error, null);
  }

  private void reject(PartitionState ps, ConsumerRecord<String, byte[]> r, SubmittedOp op, OpError error,
      EditLocks.Lock holder) {
    rejected.incrementAndGet();
    String key = r.key() != null ? r.key() : op.key().value();
    JsonNode locks = holder == null ? null : JsonNodeFactory.instance.arrayNode().add(holder.toJson());
    out.send(config.topics().replies(), ps.partition, key, Records.encode(Reply.reject(op, error, locks)));
  }
}
