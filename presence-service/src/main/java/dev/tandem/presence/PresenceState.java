package dev.tandem.presence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.schemas.PresenceRecord;
import dev.tandem.schemas.PresenceRecord.Entry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What presence-service knows, per partition it owns: everyone's presence by channel and when each
 * gateway was last heard of. Plain Java, no Kafka: records in, records to publish out. Confined to
 * the loop's thread.
 */
final class PresenceState {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceState.class);

  /**
   * Deepest presence value kept. Cursors and selections are a few levels deep; a deeper value is
   * refused because the {@code state} record that carries it must stay under Jackson's 1,000-level
   * write limit (a 998-level value once made every {@code state} of its channel unencodable).
   */
  static final int MAX_VALUE_DEPTH = 64;

  /** A record to publish: to {@code partition}, with {@code key} (null for none). */
  record Out(int partition, String key, PresenceRecord record) {}

  /** A record that cannot be processed: skipped, with the reason. */
  static final class Unprocessable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unprocessable(String message) {
      super(message, null, false, false);
    }
  }

  /** Per owned partition: channel, then presence id, then the latest entry. */
  private final Map<Integer, Map<String, Map<String, Entry>>> state = new HashMap<>();
  /** Per owned partition: gateway, then when it was last heard of. */
  private final Map<Integer, Map<String, Long>> gateways = new HashMap<>();
  private long expired;
  private long syncs;
  private int entries;

  void assign(int partition) {
    state.put(partition, new HashMap<>());
    gateways.put(partition, new HashMap<>());
  }

  void revoke(int partition) {
    state.remove(partition);
    gateways.remove(partition);
  }

  void clear() {
    state.clear();
    gateways.clear();
  }

  long expiredCount() {
    return expired;
  }

  long syncCount() {
    return syncs;
  }

  int entryCount() {
    return entries;
  }

  /** Takes one record of {@code partition}; throws {@link Unprocessable} for one it must skip. */
  List<Out> handle(int partition, PresenceRecord record, long now) {
    Map<String, Map<String, Entry>> channels = state.get(partition);
    Map<String, Long> alive = gateways.get(partition);
    if (channels == null || alive == null) {
      return List.of();
    }
    switch (record.kind()) {
      case PresenceRecord.HEARTBEAT -> alive.put(record.gateway(), now);
      case PresenceRecord.UPDATE -> update(channels, alive, record, now);
      case PresenceRecord.SYNC -> {
        syncs++;
        Map<String, Entry> ch = channels.getOrDefault(record.ch(), Map.of());
        return List.of(new Out(partition, record.ch(),
            PresenceRecord.state(record.gateway(), record.ch(), new ArrayList<>(ch.values()))));
      }
      default -> { } // state, expire, resync, ask: this service's own output or for the gateways
    }
    return List.of();
  }

  private static void update(Map<String, Map<String, Entry>> channels, Map<String, Long> alive, PresenceRecord record,
      long now) {
    Entry e = record.update();
    alive.put(e.gateway(), now);
    if (e.gone()) {
      Map<String, Entry> ch = channels.get(record.ch());
      if (ch != null) {
        ch.remove(e.id());
        if (ch.isEmpty()) {
          channels.remove(record.ch());
        }
      }
      return;
    }
    int depth = depth(e.p());
    if (depth > MAX_VALUE_DEPTH) {
      throw new Unprocessable("presence value " + e.id() + " in " + record.ch() + " is " + depth
          + " levels deep, over the limit of " + MAX_VALUE_DEPTH);
    }
    channels.computeIfAbsent(record.ch(), k -> new LinkedHashMap<>()).put(e.id(), e);
  }

  /** How deeply {@code node} nests (a scalar is 0), counted without recursion. */
  static int depth(JsonNode node) {
    record Level(JsonNode node, int depth) {}
    int max = 0;
    Deque<Level> todo = new ArrayDeque<>();
    todo.push(new Level(node, 0));
    while (!todo.isEmpty()) {
      Level l = todo.pop();
      if (l.node().isContainerNode() && !l.node().isEmpty()) {
        for (JsonNode child : l.node()) {
          todo.push(new Level(child, l.depth() + 1));
        }
      }
      max = Math.max(max, l.node().isContainerNode() ? l.depth() + 1 : l.depth());
    }
    return max;
  }

  /** Expires the presences of gateways not heard of within {@code ttl} milliseconds. */
  List<Out> sweep(long now, long ttl) {
    List<Out> out = new ArrayList<>();
    int held = 0;
    for (Map.Entry<Integer, Map<String, Long>> part : gateways.entrySet()) {
      Map<String, Map<String, Entry>> channels = state.get(part.getKey());
      for (Iterator<Map.Entry<String, Long>> it = part.getValue().entrySet().iterator(); it.hasNext();) {
        Map.Entry<String, Long> gw = it.next();
        if (now - gw.getValue() > ttl) {
          it.remove();
          LOG.info("gateway {} silent for more than {} ms: expiring its presence in partition {}", gw.getKey(), ttl,
              part.getKey());
          expire(part.getKey(), channels, gw.getKey(), out);
        }
      }
      for (Map<String, Entry> ch : channels.values()) {
        held += ch.size();
      }
    }
    entries = held;
    return out;
  }

  private void expire(int partition, Map<String, Map<String, Entry>> channels, String gateway, List<Out> out) {
    for (Iterator<Map.Entry<String, Map<String, Entry>>> ci = channels.entrySet().iterator(); ci.hasNext();) {
      Map.Entry<String, Map<String, Entry>> ch = ci.next();
      List<Entry> gone = new ArrayList<>();
      ch.getValue().values().removeIf(e -> {
        boolean dead = e.gateway().equals(gateway);
        if (dead) {
          gone.add(e);
        }
        return dead;
      });
      if (!gone.isEmpty()) {
        expired += gone.size();
        out.add(new Out(partition, ch.getKey(), PresenceRecord.expire(gateway, ch.getKey(), gone)));
      }
      if (ch.getValue().isEmpty()) {
        ci.remove();
      }
    }
  }
}
