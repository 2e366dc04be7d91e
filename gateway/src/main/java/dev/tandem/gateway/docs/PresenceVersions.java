package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.tandem.ot.OtException;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.PresenceRecord.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Document presence brought up to the document version this gateway has, as ShareDB's server
 * transforms presence before it delivers it. Reads the hub's documents, changes nothing.
 * Confined to the hub's event loop.
 */
final class PresenceVersions {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceVersions.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DocHub docs;

  PresenceVersions(DocHub docs) {
    this.docs = docs;
  }

  /** Whether an entry refers to a document version older than this gateway's, after {@link #current}. */
  boolean stale(Entry e) {
    if (e.c() == null || e.d() == null || e.v() == null || e.gone()) {
      return false;
    }
    return docs.ready(new DocKey(e.c(), e.d())).map(view -> e.v() < view.version()).orElse(false);
  }

  /**
   * The entry transformed up to the document version this gateway has, when it refers to an
   * older one and the ops in between are still in the window; otherwise as it is (the client
   * catches up itself, as ShareDB's client does).
   */
  Entry current(Entry e) {
    if (e.c() == null || e.d() == null || e.v() == null) {
      return e;
    }
    DocView view = docs.ready(new DocKey(e.c(), e.d())).orElse(null);
    if (view == null || e.v() >= view.version() || e.v() < view.windowStart()) {
      return e;
    }
    if (e.gone()) {
      return e.withValue(NullNode.getInstance(), view.version());
    }
    JsonNode p = e.p();
    for (DocView.WindowEntry w : view.ops(e.v(), view.version())) {
      JsonNode op;
      try {
        op = JSON.readTree(w.frame().text());
      } catch (Exception ex) {
        return e;
      }
      if (op.has("create") || op.has("del") || view.type().isEmpty()) {
        p = NullNode.getInstance();
        continue;
      }
      if (p.isNull()) {
        continue;
      }
      try {
        p = view.type().get().transformPresence(p, op.get("op"), e.src().equals(w.src()));
      } catch (OtException | IllegalArgumentException ex) {
        LOG.debug("presence {} does not transform: {}", e.id(), ex.getMessage());
        p = NullNode.getInstance();
      }
    }
    return e.withValue(p, view.version());
  }

}
