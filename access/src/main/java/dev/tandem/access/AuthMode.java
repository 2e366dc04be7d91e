package dev.tandem.access;

/** How requests without a token are treated ({@code TANDEM_AUTH}). */
public enum AuthMode {
  /** Every request needs a valid token. */
  JWT,
  /**
   * A request without a token is an anonymous user with every grant; a token, when present, is
   * enforced exactly as in {@link #JWT}. The server also mints tokens ({@code POST /v1/dev/token}).
   */
  DEV
}
