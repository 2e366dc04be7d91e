package dev.tandem.gateway.docs;

/**
 * The gateway's error codes for limits ShareDB has no code for. Each comes with a message that
 * names the limit; the connection stays open.
 */
public final class EdgeErrors {

  /** More documents than a connection may subscribe to, or than the gateway may hold. */
  public static final String TOO_MANY_DOCUMENTS = "ERR_TOO_MANY_DOCUMENTS";
  /** More presence channels than a connection may use, or than the gateway may serve. */
  public static final String TOO_MANY_PRESENCE_CHANNELS = "ERR_TOO_MANY_PRESENCE_CHANNELS";

  private EdgeErrors() {}
}
