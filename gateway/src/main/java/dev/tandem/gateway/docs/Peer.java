package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.access.Principal;
import dev.tandem.schemas.OpError;

/**
 * A connection as the hubs see it: where its messages go, and under which alias others know it.
 * The hubs never reach further into a connection than this. Called on the hub's event loop.
 */
interface Peer {

  /** The client id others see on this connection's ops and presence. */
  String alias();

  /** Who the connection acts for now (a refreshed token may have changed it): shown with its presence. */
  Principal principal();

  /** A message encoded once for many receivers. */
  void send(SharedText message);

  /** A message for this connection only. */
  void send(ObjectNode message);

  /** A committed op for catching up: this connection's own ops come back with its secret id as {@code src}. */
  void catchUp(DocView.WindowEntry op);

  /** Its op is committed at version {@code v} (or was a duplicate of one that is). */
  void acked(Submission submission, long v);

  /** Its op was refused. */
  void rejected(Submission submission, OpError error);

  /** Holds presence for the next delivery tick; true when it replaced a value not yet sent. */
  boolean queuePresence(String ch, String id, SharedText message);

  /** Writes the presence held; false, keeping it, while the socket is not draining. */
  boolean flushPresence();

  /** Forgets presence held for a channel. */
  void dropPresence(String ch);
}
