package dev.tandem.access;

/** What {@link Gate} decides about a request: who it acts for, or how to refuse it. */
public sealed interface Admission {

  /** Let in, acting for {@code principal}. */
  record Admitted(Principal principal) implements Admission {}

  /**
   * Refused with HTTP {@code status}: 400 (malformed), 401 (no or a bad token), 403 (an origin
   * or host not served); {@code code} is the ShareDB-style code of the body.
   */
  record Refused(int status, String code, String reason) implements Admission {}
}
