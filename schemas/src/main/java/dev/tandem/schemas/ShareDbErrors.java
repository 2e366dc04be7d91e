package dev.tandem.schemas;

/** ShareDB's error codes that Tandem sends; the sharedb client knows each of them. */
public final class ShareDbErrors {

  public static final String MESSAGE_BADLY_FORMED = "ERR_MESSAGE_BADLY_FORMED";
  public static final String OT_OP_BADLY_FORMED = "ERR_OT_OP_BADLY_FORMED";
  public static final String OT_OP_NOT_APPLIED = "ERR_OT_OP_NOT_APPLIED";
  public static final String OT_OP_NOT_PROVIDED = "ERR_OT_OP_NOT_PROVIDED";
  public static final String DOC_DOES_NOT_EXIST = "ERR_DOC_DOES_NOT_EXIST";
  public static final String DOC_ALREADY_CREATED = "ERR_DOC_ALREADY_CREATED";
  public static final String DOC_WAS_DELETED = "ERR_DOC_WAS_DELETED";
  public static final String DOC_TYPE_NOT_RECOGNIZED = "ERR_DOC_TYPE_NOT_RECOGNIZED";
  public static final String OP_ALREADY_SUBMITTED = "ERR_OP_ALREADY_SUBMITTED";
  public static final String OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT = "ERR_OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT";
  /** The op's base version is older than the history the server keeps: the client must resync. */
  public static final String SUBMIT_TRANSFORM_OPS_NOT_FOUND = "ERR_SUBMIT_TRANSFORM_OPS_NOT_FOUND";
  public static final String CONNECTION_SEQ_INTEGER_OVERFLOW = "ERR_CONNECTION_SEQ_INTEGER_OVERFLOW";
  public static final String PROTOCOL_VERSION_NOT_SUPPORTED = "ERR_PROTOCOL_VERSION_NOT_SUPPORTED";
  public static final String TYPE_DOES_NOT_SUPPORT_PRESENCE = "ERR_TYPE_DOES_NOT_SUPPORT_PRESENCE";
  public static final String PRESENCE_TRANSFORM_FAILED = "ERR_PRESENCE_TRANSFORM_FAILED";
  /** Tandem's own: document presence for a document the connection has not subscribed to. */
  public static final String PRESENCE_DOC_NOT_SUBSCRIBED = "ERR_PRESENCE_DOC_NOT_SUBSCRIBED";
  public static final String UNKNOWN_ERROR = "ERR_UNKNOWN_ERROR";
  /** Tandem's own: a frame or document over the configured size. */
  public static final String TOO_LARGE = "ERR_MESSAGE_TOO_LARGE";
  /** Tandem's own: the client sends faster than the configured rate. */
  public static final String RATE_LIMITED = "ERR_RATE_LIMITED";
  /** Tandem's own: the server could not hand the op to Kafka; the client may resend it. */
  public static final String SERVICE_UNAVAILABLE = "ERR_SERVICE_UNAVAILABLE";

  /** Tandem's own: the op or create would nest the document deeper than the configured depth. */
  public static final String DOC_TOO_DEEP = "ERR_DOC_TOO_DEEP";
  /** Tandem's own: the op or create would make the document larger than the configured size. */
  public static final String DOC_TOO_LARGE = "ERR_DOC_TOO_LARGE";
  /** Tandem's own: the server cannot load this document (its stored state is damaged); nothing was committed. */
  public static final String DOC_UNAVAILABLE = "ERR_DOC_UNAVAILABLE";
  /** Tandem's own: the server could not process this request and skipped it; nothing was committed. */
  public static final String OP_NOT_PROCESSED = "ERR_OP_NOT_PROCESSED";
  /** Tandem's edit locks: an op of someone else on what a lock covers, or a lock that overlaps one. */
  public static final String LOCKED = "ERR_LOCKED";
  public static final String LOCK_BADLY_FORMED = "ERR_LOCK_BADLY_FORMED";
  public static final String LOCK_TARGET_GONE = "ERR_LOCK_TARGET_GONE";
  public static final String TOO_MANY_LOCKS = "ERR_TOO_MANY_LOCKS";

  private ShareDbErrors() {}
}
