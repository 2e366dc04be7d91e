package dev.tandem.access;

/** What a token allows on one document; each level includes the ones before it. */
public enum DocLevel {
  /** Nothing: the document is not granted. */
  NONE,
  /** Fetch, subscribe, snapshots by version or time, the {@code /ops} history, presence. */
  READ,
  /** Read, and ops, create, delete, whole-content PUT. */
  WRITE;

  public boolean allows(DocLevel needed) {
    return compareTo(needed) >= 0;
  }
}
