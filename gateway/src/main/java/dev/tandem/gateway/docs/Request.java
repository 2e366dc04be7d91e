package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.schemas.DocKey;
import java.util.List;
import java.util.Optional;

/**
 * A ShareDB request that passed every check {@link RequestDecoder} makes: one record per action.
 * Names are valid (no lone surrogates, within the length cap, not a dangerous property name),
 * versions are whole numbers in JavaScript's safe range, numbers are finite.
 */
public sealed interface Request {

  /** {@code hs}: the handshake; {@code id} is the client id the client had before, if any. */
  record Handshake(Optional<String> id) implements Request {}

  /** {@code f}: the snapshot, or (with a version) the ops since it. */
  record Fetch(DocKey key, Optional<Long> version) implements Request {}

  /** {@code s}: as fetch, and the ops from then on. */
  record Subscribe(DocKey key, Optional<Long> version) implements Request {}

  /** {@code u}. */
  record Unsubscribe(DocKey key) implements Request {}

  /** One document of a bulk request: snapshots wanted when there is no version. */
  record BulkItem(String id, Optional<Long> version) {}

  /** {@code bf} and {@code bs}: {@code byVersion} when {@code b} was an object of id to version. */
  record Bulk(String collection, List<BulkItem> items, boolean byVersion, boolean subscribe) implements Request {}

  /** {@code bu}. */
  record BulkUnsubscribe(String collection, List<String> ids) implements Request {}

  /** {@code op}: an edit, create or delete; {@code src} as the client claims it, to be proven. */
  record Submit(DocKey key, Optional<Long> version, long seq, Optional<String> src, OpBody body) implements Request {}

  /** What an {@code op} request does. */
  sealed interface OpBody {}

  /** An edit: the op as the client sent it; its shape is checked against the document's type. */
  record Edit(JsonNode op) implements OpBody {}

  /** A create with the type (name or uri) and the initial data, if any. */
  record Create(String type, Optional<JsonNode> data) implements OpBody {}

  /** A delete. */
  record Delete() implements OpBody {}

  /** {@code nf}: the document at a version (the latest without one). */
  record SnapshotAtVersion(DocKey key, Optional<Long> version) implements Request {}

  /** {@code nt}: the document as of a time, epoch milliseconds (the latest without one). */
  record SnapshotAtTime(DocKey key, Optional<Long> timestamp) implements Request {}

  /** The document fields of a document presence: {@code c}, and {@code d}, {@code v}, {@code t} when given. */
  record PresenceDoc(String collection, Optional<String> id, Optional<Long> version, Optional<String> type) {}

  /** {@code p}: a presence value ({@code null} when it leaves) with its presence version. */
  record PresenceSubmit(String channel, String presenceId, JsonNode value, long pv, Optional<PresenceDoc> doc)
      implements Request {}

  /** {@code ps}. */
  record PresenceSubscribe(String channel) implements Request {}

  /** {@code pu}. */
  record PresenceUnsubscribe(String channel) implements Request {}

  /** {@code pr}: everyone's presence again. */
  record PresenceRequest(String channel) implements Request {}

  /** {@code pp}. */
  record Ping() implements Request {}

  /**
   * Tandem's edit locks (schemas/docs/lock.json): take or renew lock {@code id} on what
   * {@code target} names ({@code {"p": path}} or {@code {"r": [start, end]}}, with an optional
   * {@code ttl}), as of the client's {@code version} of the document.
   */
  record Lock(DocKey key, String id, Optional<Long> version, ObjectNode target) implements Request {}

  /** Releases this connection's lock {@code id} (schemas/docs/unlock.json). */
  record Unlock(DocKey key, String id) implements Request {}

  /** Follows the document's locks: the table now, then every change (schemas/docs/locks.json). */
  record WatchLocks(DocKey key) implements Request {}

  /** {@code auth}: Tandem's extension, a fresh token for the connection before its token expires. */
  record Auth(String token) implements Request {}
}
