package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.access.Principal;
import dev.tandem.gateway.EdgeLimits;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.PresenceRecord.Entry;
import dev.tandem.schemas.ShareDbErrors;
import java.util.HashSet;
import java.util.Set;

/**
 * One connection's presence requests ({@code p}, {@code ps}, {@code pu}, {@code pr}) and the
 * channels it holds, within its limits. Owned by its {@link Connection}; closing releases the
 * channels. Confined to the hub's event loop.
 */
final class PresenceRequests {

  private final Peer peer;
  private final PresenceHub presence;
  private final DocHub docs;
  private final EdgeLimits limits;
  private final String gateway;
  private final Set<String> channels = new HashSet<>();

  PresenceRequests(Peer peer, PresenceHub presence, DocHub docs, EdgeLimits limits, String gateway) {
    this.peer = peer;
    this.presence = presence;
    this.docs = docs;
    this.limits = limits;
    this.gateway = gateway;
  }

  void subscribe(ObjectNode raw, ObjectNode echo, String ch) {
    if (refused(echo, ch)) {
      return;
    }
    channels.add(ch);
    // The reply first: the client takes presence of others only once it is subscribed.
    peer.send(Replies.presenceSubscription(raw, ch));
    presence.subscribe(peer, ch);
  }

  void unsubscribe(ObjectNode raw, String ch) {
    presence.unsubscribe(peer, ch);
    channels.remove(ch);
    peer.send(Replies.presenceSubscription(raw, ch));
  }

  void request(String ch) {
    presence.request(peer, ch);
  }

  /**
   * A presence value, acknowledged at once and delivered to the others coalesced. As in ShareDB,
   * the connection need not subscribe to the document, and a document presence may name no
   * document ({@code d: null}): it is relayed without document fields, since nothing transforms
   * it and the presence record carries {@code c} only with {@code d}.
   */
  void submit(ObjectNode echo, Request.PresenceSubmit p) {
    String ch = p.channel();
    if (refused(echo, ch)) {
      return;
    }
    boolean leaving = p.value().isNull();
    if (!leaving && !presence.owns(peer, ch, p.presenceId())
        && presence.localCount(peer) >= limits.maxPresencesPerConnection()) {
      peer.send(Replies.error(echo, new OpError(ShareDbErrors.TOO_LARGE, "More than "
          + limits.maxPresencesPerConnection() + " presences on one connection")));
      return;
    }
    String c = null;
    String d = null;
    Long v = null;
    String t = null;
    if (p.doc().isPresent() && p.doc().get().id().isPresent()) {
      Request.PresenceDoc doc = p.doc().get();
      c = doc.collection();
      d = doc.id().get();
      t = doc.type().orElse(null);
      v = doc.version().orElse(null);
      if (v != null) {
        // Never ahead of the document as this gateway has it.
        v = Math.min(v, docs.ready(new DocKey(c, d)).map(DocView::version).orElse(Long.MAX_VALUE));
      }
    }
    Principal who = peer.principal();
    presence.submit(peer, ch, new Entry(gateway, p.presenceId(), peer.alias(), leaving ? null : p.value(), p.pv(),
        c, d, v, t, who.user(), who.name().orElse(null)));
    peer.send(Replies.presenceAck(ch, p.presenceId(), p.pv()));
  }

  /** Whether a channel new to this connection would take it or the gateway over a cap (the error sent). */
  private boolean refused(ObjectNode echo, String ch) {
    if (channels.contains(ch)) {
      return false;
    }
    if (channels.size() >= limits.maxPresenceChannelsPerConnection()) {
      peer.send(Replies.error(echo, new OpError(EdgeErrors.TOO_MANY_PRESENCE_CHANNELS, "A connection may use at most "
          + limits.maxPresenceChannelsPerConnection() + " presence channels")));
      return true;
    }
    if (!presence.serves(ch) && presence.channelCount() >= limits.maxPresenceChannels()) {
      peer.send(Replies.error(echo, new OpError(EdgeErrors.TOO_MANY_PRESENCE_CHANNELS,
          "This server serves its maximum of presence channels; try again later")));
      return true;
    }
    return false;
  }

  /**
   * The channels {@code refusal} no longer allows end: the connection's presence there leaves,
   * it stops receiving others', and the client gets {@code pu} with the error.
   */
  void revoke(java.util.function.Function<String, java.util.Optional<OpError>> refusal) {
    java.util.Set<String> all = new HashSet<>(channels);
    all.addAll(presence.channelsOf(peer));
    for (String ch : all) {
      refusal.apply(ch).ifPresent(e -> {
        presence.leave(peer, ch);
        peer.dropPresence(ch);
        channels.remove(ch);
        peer.send(Replies.presenceRevoked(ch, e));
      });
    }
  }

  /** The connection closed: its presences leave everywhere. */
  void close() {
    presence.closed(peer);
    channels.clear();
  }
}
