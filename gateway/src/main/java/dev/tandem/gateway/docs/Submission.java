package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.schemas.SubmittedOp;

/**
 * An op a connection submitted, as the hub tracks it until it commits.
 *
 * @param op what goes to Kafka, with the alias as {@code src}
 * @param clientSrc the {@code src} the client knows the op by (its secret id), for the ack
 * @param echo the request's identifying fields, for an error reply
 */
record Submission(SubmittedOp op, String clientSrc, ObjectNode echo) {}
