package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.schemas.OpError;

/** What {@link RequestDecoder} makes of a frame: a request, or the error to answer it with. */
public sealed interface Decoded {

  /** The fields an error reply echoes: the request's small identifying fields, never its payload. */
  ObjectNode echo();

  /**
   * A request that passed every check.
   *
   * @param raw the message as received, for replies that echo fields as ShareDB does ({@code b})
   */
  record Valid(ObjectNode raw, ObjectNode echo, Request request) implements Decoded {}

  /** A frame that breaks the protocol, with ShareDB's code for it. */
  record Invalid(ObjectNode echo, OpError error) implements Decoded {}
}
