package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.OtType;
import dev.tandem.ot.OtTypes;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A document as one gateway sees it: loaded once from ot-service, then kept current from the
 * event log. Holds the sessions subscribed to it and the recent ops for clients catching up.
 * Confined to the gateway's event loop.
 */
final class DocView {

  enum State { LOADING, READY }

  final DocKey key;
  State state = State.LOADING;
  String loadRequest;
  long version;
  OtType type;
  OtDocument content;
  /** Recent ops as the messages clients get, for catch-up: compact, unlike the op trees. */
  final Deque<WindowEntry> window = new ArrayDeque<>();

  /** A committed op kept for clients catching up: its version and its ShareDB message. */
  record WindowEntry(long v, String message) {}
  final List<CommittedOp> buffered = new ArrayList<>();
  final Set<Session> subscribers = new LinkedHashSet<>();
  final List<DocHub.Waiter> waiting = new ArrayList<>();
  long lastUsed;
  long timer = -1;

  DocView(DocKey key) {
    this.key = key;
  }

  /** Sets the state a snapshot reply carries. */
  void load(long v, String typeUri, JsonNode data) {
    version = v;
    window.clear();
    if (typeUri == null) {
      type = null;
      content = null;
    } else {
      type = OtTypes.byNameOrUri(typeUri).orElseThrow(() -> new IllegalStateException("unknown type " + typeUri));
      content = type.open(data);
    }
  }

  /** Applies the next committed op; its version must be the current one. */
  void apply(CommittedOp op, int windowSize) {
    switch (op.kind()) {
      case "create" -> {
        type = OtTypes.byNameOrUri(op.create().type()).orElseThrow();
        content = type.open(type.create(op.create().data()));
      }
      case "del" -> {
        type = null;
        content = null;
      }
      default -> content.apply(op.op());
    }
    version++;
    window.addLast(new WindowEntry(op.v(), DocHub.opMessage(op).toString()));
    while (window.size() > windowSize) {
      window.removeFirst();
    }
  }

  /** The oldest version whose op is still in the window. */
  long windowStart() {
    return window.isEmpty() ? version : window.peekFirst().v();
  }

  /** The snapshot as ShareDB sends it: {@code {"v": n, "data": ..., "type": uri or null}}. */
  ObjectNode snapshotData() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("v", version);
    if (content != null) {
      o.set("data", content.snapshot());
      o.put("type", type.uri());
    } else {
      o.putNull("type");
    }
    return o;
  }
}
