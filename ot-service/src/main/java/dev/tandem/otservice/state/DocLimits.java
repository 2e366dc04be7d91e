package dev.tandem.otservice.state;

/**
 * What a document may become, enforced when an op or a create is submitted.
 *
 * @param maxDepth the deepest json0 nesting (a scalar is 0, {@code {}} is 1): an op whose path
 *     plus inserted value would go deeper is refused with {@code ERR_DOC_TOO_DEEP}. Between 1
 *     and 900: every record holding a document (snapshot, reply, committed op) adds at most a
 *     few levels, and Jackson reads and writes at most 1,000.
 * @param maxBytes the largest serialized document: an op or create that would grow it past this
 *     is refused with {@code ERR_DOC_TOO_LARGE}. Between 1 KiB and 15 MiB: a snapshot record must
 *     fit the 16 MiB the topics and ot-service's producer allow. It also keeps every string
 *     under Jackson's 20,000,000-character read limit; names and numbers were read through
 *     Jackson's limits when their ops arrived, so nothing these limits allow fails to encode
 *     or to read back.
 */
public record DocLimits(int maxDepth, long maxBytes) {

  /** 100 levels (json0 documents in practice are a handful deep), 8 MiB (half the record limit). */
  public static final DocLimits DEFAULT = new DocLimits(100, 8L * 1024 * 1024);

  public DocLimits {
    if (maxDepth < 1 || maxDepth > 900) {
      throw new IllegalArgumentException("TANDEM_MAX_DOC_DEPTH must be between 1 and 900, got " + maxDepth);
    }
    if (maxBytes < 1024 || maxBytes > 15L * 1024 * 1024) {
      throw new IllegalArgumentException("TANDEM_MAX_DOC_BYTES must be between 1024 and 15728640, got " + maxBytes);
    }
  }
}
