package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.kafka.Submitter;
import dev.tandem.schemas.PresenceRecord;
import dev.tandem.schemas.PresenceRecord.Entry;
import dev.tandem.schemas.Records;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence as one gateway serves it. The gateway is the authority for its own connections'
 * presence: it coalesces each client's updates (one per interval, the last value wins), delivers
 * them to its other subscribers at once and publishes them to {@code tandem.presence} for the
 * other gateways and presence-service. For channels its clients subscribe to it keeps a mirror of
 * everyone's presence, seeded from presence-service when the first local subscriber arrives, so
 * late joiners get everyone at once. Values are transformed up to the document version this
 * gateway has before they are delivered, as ShareDB's server does. Confined to the event loop.
 */
public final class PresenceHub {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceHub.class);
  private static final long SYNC_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Submitter submitter;
  private final Map<String, Channel> channels = new HashMap<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong coalesced = new AtomicLong();
  private final PresenceDelivery delivery;
  private final PresenceVersions versions;
  private boolean silent;

  /** A presence channel with local subscribers or local presences. */
  private static final class Channel {
    final String ch;
    final Set<Peer> subscribers = new LinkedHashSet<>();
    /** Everyone's latest presence by presence id, local ones included. */
    final Map<String, Entry> entries = new LinkedHashMap<>();
    final Map<String, Local> locals = new HashMap<>();
    final List<Peer> awaiting = new ArrayList<>();
    /** Until synced: presence ids read from the log since the sync request, newer than the state. */
    final Set<String> touched = new java.util.HashSet<>();
    boolean synced;
    boolean syncRequested;
    long syncTimer = -1;
    long lastAsk;

    Channel(String ch) {
      this.ch = ch;
    }

    boolean unused() {
      return subscribers.isEmpty() && locals.isEmpty();
    }
  }

  /** A presence of one of this gateway's connections. */
  private static final class Local {
    final Peer peer;
    Entry latest;
    Entry sent;
    long lastSent;
    long timer = -1;

    Local(Peer peer) {
      this.peer = peer;
    }
  }

  public PresenceHub(Vertx vertx, GatewayConfig config, Submitter submitter, DocHub docs) {
    this.vertx = vertx;
    this.config = config;
    this.submitter = submitter;
    this.delivery = new PresenceDelivery(vertx, config.presenceBatch());
    this.versions = new PresenceVersions(docs);
  }

  public long receivedCount() {
    return received.get();
  }

  public long publishedCount() {
    return published.get();
  }

  public long coalescedCount() {
    return coalesced.get();
  }

  /** Presence values replaced at a receiver by a newer one before the delivery tick sent them. */
  public long supersededCount() {
    return delivery.supersededCount();
  }

  public int channelCount() {
    return channels.size();
  }

  /** Whether this gateway serves {@code ch} already (a new subscriber there takes no new channel). */
  boolean serves(String ch) {
    return channels.containsKey(ch);
  }

  /** From now on nothing more is published: the gateway is going away as if it crashed. */
  public void silence() {
    silent = true;
  }

  // ---- from this gateway's clients ----

  void subscribe(Peer peer, String ch) {
    Channel c = channels.computeIfAbsent(ch, Channel::new);
    c.subscribers.add(peer);
    if (c.synced) {
      sendAll(c, peer);
      return;
    }
    c.awaiting.add(peer);
    if (!c.syncRequested) {
      c.syncRequested = true;
      publish(ch, PresenceRecord.sync(config.instanceId(), ch));
      c.syncTimer = vertx.setTimer(SYNC_TIMEOUT_MS, t -> {
        if (!c.synced) {
          LOG.warn("presence-service did not answer for {} within {} ms; serving what this gateway knows", ch,
              SYNC_TIMEOUT_MS);
          synced(c);
        }
      });
    }
  }

  void unsubscribe(Peer peer, String ch) {
    peer.dropPresence(ch);
    Channel c = channels.get(ch);
    if (c != null) {
      c.subscribers.remove(peer);
      c.awaiting.remove(peer);
      dropIfUnused(c);
    }
  }

  /** The client asks for everyone's presence again. */
  void request(Peer peer, String ch) {
    Channel c = channels.get(ch);
    if (c != null && c.subscribers.contains(peer) && c.synced) {
      sendAll(c, peer);
      askIfStale(c);
    }
  }

  /** A presence value from a client, already checked by its connection. */
  void submit(Peer peer, String ch, Entry entry) {
    received.incrementAndGet();
    Channel c = channels.computeIfAbsent(ch, Channel::new);
    Local local = c.locals.get(entry.id());
    if (local == null) {
      local = new Local(peer);
      c.locals.put(entry.id(), local);
    } else if (local.peer != peer) {
      // Another connection took the presence id over (a reconnect): it is theirs now.
      vertx.cancelTimer(local.timer);
      local = new Local(peer);
      c.locals.put(entry.id(), local);
    }
    if (local.latest != null || local.timer >= 0) {
      coalesced.incrementAndGet();
    }
    local.latest = entry;
    long now = System.currentTimeMillis();
    long due = local.lastSent + config.presenceInterval().toMillis();
    if (entry.gone() || now >= due) {
      vertx.cancelTimer(local.timer);
      local.timer = -1;
      flush(c, entry.id());
    } else if (local.timer < 0) {
      local.timer = vertx.setTimer(Math.max(1, due - now), t -> {
        Local l = c.locals.get(entry.id());
        if (l != null) {
          l.timer = -1;
          flush(c, entry.id());
        }
      });
    }
  }

  /** Whether presence {@code id} of {@code ch} is this connection's already. */
  boolean owns(Peer peer, String ch, String id) {
    Channel c = channels.get(ch);
    Local l = c == null ? null : c.locals.get(id);
    return l != null && l.peer == peer;
  }

  /** How many presences a peer has across channels. */
  int localCount(Peer peer) {
    int n = 0;
    for (Channel c : channels.values()) {
      for (Local l : c.locals.values()) {
        if (l.peer == peer) {
          n++;
        }
      }
    }
    return n;
  }

  private void flush(Channel c, String id) {
    Local local = c.locals.get(id);
    if (local == null || local.latest == null) {
      return;
    }
    Entry entry = versions.current(local.latest);
    local.latest = null;
    local.sent = entry;
    local.lastSent = System.currentTimeMillis();
    if (entry.gone()) {
      c.locals.remove(id);
      c.entries.remove(id);
    } else {
      c.entries.put(id, entry);
    }
    deliver(c, entry);
    publish(c.ch, PresenceRecord.update(c.ch, entry));
    dropIfUnused(c);
  }

  /** The channels where {@code peer} is subscribed or has a presence of its own. */
  java.util.Set<String> channelsOf(Peer peer) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (Channel c : channels.values()) {
      if (c.subscribers.contains(peer) || c.awaiting.contains(peer)
          || c.locals.values().stream().anyMatch(l -> l.peer == peer)) {
        out.add(c.ch);
      }
    }
    return out;
  }

  /** {@code peer} leaves channel {@code ch}: its presences there leave, it hears no more of others'. */
  void leave(Peer peer, String ch) {
    Channel c = channels.get(ch);
    if (c != null) {
      release(peer, c);
    }
  }

  /** A connection closed: its presences leave at once, everywhere. */
  void closed(Peer peer) {
    delivery.forget(peer);
    for (Channel c : new ArrayList<>(channels.values())) {
      release(peer, c);
    }
  }

  private void release(Peer peer, Channel c) {
    c.subscribers.remove(peer);
    c.awaiting.remove(peer);
    for (Map.Entry<String, Local> e : new ArrayList<>(c.locals.entrySet())) {
      Local l = e.getValue();
      if (l.peer != peer) {
        continue;
      }
      vertx.cancelTimer(l.timer);
      Entry last = l.latest != null ? l.latest : l.sent;
      if (last != null && !last.gone()) {
        l.latest = last.withValue(NullNode.getInstance(), last.v());
        flush(c, e.getKey());
      }
      c.locals.remove(e.getKey());
    }
    dropIfUnused(c);
  }

  // ---- from Kafka ----

  /** A record of {@code tandem.presence}, read from {@code partition}. */
  public void onRecord(PresenceRecord r, int partition) {
    switch (r.kind()) {
      case PresenceRecord.UPDATE -> {
        if (!config.instanceId().equals(r.gateway())) {
          onRemote(r.ch(), r.update());
        }
      }
      case PresenceRecord.STATE -> {
        Channel c = channels.get(r.ch());
        if (c != null && config.instanceId().equals(r.gateway()) && !c.synced) {
          // The state is everyone as of the sync request; what this gateway has read since is newer.
          for (Entry e : r.entries()) {
            if (!e.gateway().equals(config.instanceId()) && !e.gone() && !c.touched.contains(e.id())) {
              c.entries.put(e.id(), e);
            }
          }
          c.touched.clear();
          synced(c);
          askIfStale(c);
        }
      }
      case PresenceRecord.ASK -> onAsk(r.ch());
      case PresenceRecord.EXPIRE -> onExpire(r);
      case PresenceRecord.RESYNC -> republish(partition, r.partition());
      default -> { }
    }
  }

  private void onRemote(String ch, Entry entry) {
    Channel c = channels.get(ch);
    if (c == null) {
      return;
    }
    if (!c.synced) {
      c.touched.add(entry.id());
    }
    if (entry.gone()) {
      if (c.entries.remove(entry.id()) == null) {
        return;
      }
    } else {
      c.entries.put(entry.id(), entry);
    }
    deliver(c, versions.current(entry));
  }

  /**
   * Someone holds presence of {@code ch} too old to transform: this gateway's clients there
   * publish theirs again, brought up to date here, or (when this gateway's window does not reach
   * back either) are asked for it as ShareDB asks, with a {@code pr}.
   */
  private void onAsk(String ch) {
    Channel c = channels.get(ch);
    if (c == null) {
      return;
    }
    for (Map.Entry<String, Local> e : c.locals.entrySet()) {
      Local l = e.getValue();
      if (l.sent == null || l.sent.gone()) {
        continue;
      }
      Entry now = versions.current(l.sent);
      if (versions.stale(now)) {
        l.peer.send(Replies.presenceRequest(ch));
        continue;
      }
      l.sent = now;
      c.entries.put(e.getKey(), now);
      publish(ch, PresenceRecord.update(ch, now));
    }
  }

  private void askIfStale(Channel c) {
    long now = System.currentTimeMillis();
    if (now - c.lastAsk < 1_000) {
      return;
    }
    for (Entry e : c.entries.values()) {
      if (versions.stale(versions.current(e))) {
        c.lastAsk = now;
        publish(c.ch, PresenceRecord.ask(config.instanceId(), c.ch));
        return;
      }
    }
  }

  private void onExpire(PresenceRecord r) {
    if (config.instanceId().equals(r.gateway())) {
      // presence-service took this gateway for dead (a long pause?): its clients are here still.
      Channel c = channels.get(r.ch());
      if (c != null) {
        for (Local l : c.locals.values()) {
          if (l.sent != null && !l.sent.gone()) {
            publish(c.ch, PresenceRecord.update(c.ch, l.sent));
          }
        }
      }
      return;
    }
    Channel c = channels.get(r.ch());
    if (c == null) {
      return;
    }
    for (Entry e : r.entries()) {
      Entry known = c.entries.get(e.id());
      if (!c.synced) {
        c.touched.add(e.id());
      }
      if (known != null && known.gateway().equals(r.gateway())) {
        c.entries.remove(e.id());
        deliver(c, known.withValue(NullNode.getInstance(), known.v()));
      }
    }
  }

  /** presence-service took over {@code partition}: publishes this gateway's presences in it again. */
  private void republish(int fromPartition, int partition) {
    if (fromPartition != partition) {
      return;
    }
    int partitions = submitter.partitions(config.topics().presence());
    for (Channel c : channels.values()) {
      if (partitionOf(c.ch, partitions) != partition) {
        continue;
      }
      for (Local l : c.locals.values()) {
        if (l.sent != null && !l.sent.gone()) {
          publish(c.ch, PresenceRecord.update(c.ch, l.sent));
        }
      }
    }
  }

  /** The partition Kafka's default partitioner picks for a channel key. */
  static int partitionOf(String ch, int partitions) {
    return Utils.toPositive(Utils.murmur2(ch.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Heartbeat to every partition: each presence-service instance learns this gateway is alive. */
  public void heartbeat() {
    if (silent) {
      return;
    }
    String topic = config.topics().presence();
    byte[] beat = Records.encode(PresenceRecord.heartbeat(config.instanceId()));
    int partitions = submitter.partitions(topic);
    for (int p = 0; p < partitions; p++) {
      submitter.publish(topic, p, "heartbeat", beat, error -> {
        if (error != null) {
          LOG.debug("heartbeat not sent: {}", error.toString());
        }
      });
    }
  }

  // ---- helpers ----

  private void synced(Channel c) {
    c.synced = true;
    vertx.cancelTimer(c.syncTimer);
    List<Peer> waiting = new ArrayList<>(c.awaiting);
    c.awaiting.clear();
    waiting.forEach(s -> sendAll(c, s));
  }

  private void sendAll(Channel c, Peer peer) {
    for (Entry e : c.entries.values()) {
      if (!e.src().equals(peer.alias())) {
        delivery.queue(peer, c.ch, e.id(), new SharedText(Replies.presence(c.ch, versions.current(e)).toString()));
      }
    }
  }

  private void deliver(Channel c, Entry entry) {
    if (c.subscribers.isEmpty()) {
      return;
    }
    SharedText text = new SharedText(Replies.presence(c.ch, entry).toString());
    for (Peer s : c.subscribers) {
      if (!s.alias().equals(entry.src()) && !c.awaiting.contains(s)) {
        delivery.queue(s, c.ch, entry.id(), text);
      }
    }
  }

  private void publish(String ch, PresenceRecord record) {
    if (silent) {
      return;
    }
    published.incrementAndGet();
    submitter.publish(config.topics().presence(), null, ch, Records.encode(record), error -> {
      if (error != null) {
        LOG.warn("presence for {} not published: {}", ch, error.toString());
      }
    });
  }

  private void dropIfUnused(Channel c) {
    if (c.unused()) {
      vertx.cancelTimer(c.syncTimer);
      channels.remove(c.ch);
    }
  }
}
