package dev.tandem.gateway.auth;

import dev.tandem.access.DocLevel;
import dev.tandem.access.Gate;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import java.util.Optional;

/** How documents and presence channels map to grants, and the error that names what was refused. */
public final class DocGrants {

  private DocGrants() {}

  /** The refusal naming the document: {@code ERR_ACCESS_DENIED}. */
  public static OpError error(DocKey key, DocLevel needed) {
    return new OpError(Gate.ACCESS_DENIED, denied(key.collection(), key.id(), needed));
  }

  static String denied(String c, String d, DocLevel needed) {
    return "Access denied: the token does not grant " + needed.name().toLowerCase(java.util.Locale.ROOT)
        + " on document " + c + "/" + d;
  }

  /**
   * Whether {@code p} may use presence channel {@code channel}, as the document it belongs to:
   * ShareDB names a document's presence channel {@code COLLECTION.ID}, so the channel is split at
   * its first dot; a channel without one is granted as the document {@code CHANNEL/} (an empty
   * id, which {@code CHANNEL/*} matches). Presence needs {@code read}.
   */
  public static Optional<OpError> channelRefusal(dev.tandem.access.Principal p, String channel) {
    int dot = channel.indexOf('.');
    String c = dot < 0 ? channel : channel.substring(0, dot);
    String d = dot < 0 ? "" : channel.substring(dot + 1);
    return p.doc(c, d).allows(DocLevel.READ) ? Optional.empty()
        : Optional.of(new OpError(Gate.ACCESS_DENIED, "Access denied: the token does not grant read on document "
            + c + "/" + d + ", to which presence channel " + channel + " belongs"));
  }
}
