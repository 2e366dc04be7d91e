package dev.tandem.access;

/** A token that cannot be accepted, with what is wrong with it in words for the client. */
public final class TokenRefused extends Exception {
  private static final long serialVersionUID = 1L;

  public TokenRefused(String reason) {
    super(reason, null, false, false);
  }
}
