package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tandem.schemas.ShareDbErrors;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the hostile-client tests expect, in one place: the error code of each case, the close
 * codes, the HTTP statuses and the time bounds. Where ShareDB fixes the code it is ShareDB's;
 * where the code is Tandem's own choice (a limit), it is a constant here, so agreeing with the
 * server is a one-line change. Also the check that no error text shows internals.
 */
final class HostileCodes {

  // --- documents (ShareDB's codes) ---
  /** An op that would make a json0 document deeper than the server's limit (Tandem's choice). */
  static final String DEEP_DOCUMENT = ShareDbErrors.DOC_TOO_DEEP;
  /** {@code na} whose result is not a finite number (Tandem's choice; JavaScript would store Infinity). */
  static final String NUMBER_OVERFLOW = ShareDbErrors.OT_OP_NOT_APPLIED;
  /** Deleting a document that was never created, or is deleted (ShareDB: ot.js applies del to no type). */
  static final String DELETE_MISSING = ShareDbErrors.DOC_DOES_NOT_EXIST;
  /** The loser of two concurrent deletes: ShareDB transforms del past del, then finds no document. */
  static final Set<String> DELETE_LOSER = Set.of(ShareDbErrors.DOC_DOES_NOT_EXIST, ShareDbErrors.DOC_WAS_DELETED);
  /** A collection or id holding a lone surrogate (not a valid string). */
  static final String LONE_SURROGATE = ShareDbErrors.MESSAGE_BADLY_FORMED;
  /** A json0 path through {@code __proto__}, {@code constructor}... (ShareDB: "Invalid path segment"). */
  static final String DANGEROUS_PATH = ShareDbErrors.OT_OP_NOT_APPLIED;
  /** {@code op: [null]} and {@code op: {}} (ShareDB's checkOp). */
  static final String MALFORMED_OP = ShareDbErrors.OT_OP_BADLY_FORMED;
  /** A presence channel {@code __proto__} or {@code constructor} (ShareDB: "Invalid presence channel"). */
  static final String DANGEROUS_CHANNEL = ShareDbErrors.MESSAGE_BADLY_FORMED;
  /**
   * A presence value nested deeper than the server accepts, when the gateway refuses it rather
   * than passing it on (Tandem's choice; accepting it is fine as long as presence-service lives).
   */
  static final String DEEP_PRESENCE_IF_REFUSED = ShareDbErrors.TOO_LARGE;
  /** A message nested past the parser's bound: too large, in depth. */
  static final String DEEP_MESSAGE = ShareDbErrors.TOO_LARGE;
  /** An op naming another connection's {@code src}, when the gateway refuses it rather than re-owning it. */
  static final String SPOOFED_SRC_IF_REFUSED = ShareDbErrors.OT_OP_BADLY_FORMED;

  // --- limits (Tandem's choices) ---
  /** A bulk subscribe over the open-documents limit (per connection). */
  static final String TOO_MANY_DOCUMENTS = "ERR_TOO_MANY_DOCUMENTS";
  /** A message over the message limit (1 MiB by default). */
  static final String MESSAGE_TOO_LARGE = ShareDbErrors.TOO_LARGE;
  /** The close codes a server may use for a message it will not read: 1009 too big, 1008 policy. */
  static final Set<Integer> TOO_LARGE_CLOSE = Set.of(1009, 1008);
  /**
   * The close codes for a compressed frame inflating past the limit: 1009 or 1008; 1002 when the
   * server does not agree to deflate; 1006 (the socket closed without a close frame) is taken too.
   */
  static final Set<Integer> DEFLATE_BOMB_CLOSE = Set.of(1009, 1008, 1002, 1006);
  /** An error reply to a too large message must be short: no echo of the body. */
  static final int MAX_ERROR_REPLY_BYTES = 4096;
  /** A whole-content PUT whose diff is over the server's size or time cap: 413 or 422 (or it succeeds). */
  static final Set<Integer> PUT_DIFF_REFUSED = Set.of(413, 422);
  /** A PUT to a json0 document. */
  static final int PUT_NOT_TEXT = 415;

  // --- time bounds ---
  /** A refused request is answered at once, not after a load timeout. */
  static final Duration PROMPT = Duration.ofSeconds(3);
  /** A 40k-character whole-content PUT is answered within this. */
  static final Duration PUT_BOUND = Duration.ofSeconds(5);
  /** Other users' requests while 20 big PUTs run. */
  static final Duration BYSTANDER_BOUND = Duration.ofSeconds(2);
  /** A subscriber that did not read (but sent pings) and reads again meets its close within this. */
  static final Duration SLOW_CONSUMER_CLOSED = Duration.ofSeconds(10);
  /** A half-open HTTP connection (no request, or half a request) is closed within this. */
  static final Duration IDLE_HTTP_CLOSED = Duration.ofSeconds(20);
  /**
   * Bytes the server may queue, by its own count ({@code tandem_gateway_outbound_queued_bytes}),
   * for 8 subscribers that do not read: each within the 2 MiB budget of {@link #SERVER_ENV}, plus
   * 2 MiB for the readers' traffic.
   */
  static final long SLOW_CONSUMERS_QUEUED_BOUND = 8 * (2L << 20) + (2L << 20);
  /**
   * Heap and direct memory the same case may leave grown, measured over the whole JVM (broker,
   * producers' buffers and op windows included; 36-71 MiB measured with bounded queues). Each
   * socket's queue is its own copy of the frames, so unbounded queues would hold 8 x 120 MB.
   */
  static final long SLOW_CONSUMER_MEMORY_BOUND = 160L << 20;
  /** Memory a hostile case may leave held (heap after GC plus direct buffers). */
  static final long MEMORY_GROWTH_BOUND = 96L << 20;

  /**
   * Settings the hostile servers run with, so time-outs are short enough to test. The names are
   * the fixers' choice: adjust them here. (Unknown variables are ignored by the server.)
   */
  static final Map<String, String> SERVER_ENV = Map.of(
      // ot-service's snapshot flush (default 5 s), where a too-deep document wedged every
      // partition: every second, so the deep-document case need not wait long to reach it.
      "TANDEM_FLUSH_MS", "1000",
      "TANDEM_IDLE_TIMEOUT_MS", "5000",
      "TANDEM_HANDSHAKE_TIMEOUT_MS", "5000",
      // Small op windows and outbound budget, so what a slow subscriber may hold legitimately
      // (budget x subscribers, plus the windows) is well apart from what it held unbounded.
      "TANDEM_OUTBOUND_BUDGET_BYTES", String.valueOf(2 << 20),
      "TANDEM_GATEWAY_WINDOW", "20",
      "TANDEM_OT_WINDOW", "20");

  /** Words that mean internal text reached a client. */
  private static final List<String> INTERNALS = List.of("Expiring", "StreamReadConstraints", "maxNestingDepth",
      "Exception", "java.", "dev.tandem", "com.fasterxml", "org.apache", "io.vertx", "io.netty", "\tat ", "Caused by",
      "tandem.ops.", "record(s)");

  private HostileCodes() {}

  /** Fails when an error text shows internals: Kafka's or Jackson's words, class names, stack traces. */
  static void assertNoInternals(String text) {
    assertNotNull(text);
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    for (String word : INTERNALS) {
      assertFalse(lower.contains(word.toLowerCase(java.util.Locale.ROOT)), "error text shows internals (" + word + "): " + text);
    }
  }

  /** The code of an error reply, after checking its text shows no internals. */
  static String codeOf(JsonObject reply) {
    JsonObject error = reply.getJsonObject("error");
    assertNotNull(error, "not an error: " + reply.encode());
    assertNoInternals(String.valueOf(error.getValue("message")));
    return error.getString("code");
  }

  private static final java.util.concurrent.atomic.AtomicLong SEQ = new java.util.concurrent.atomic.AtomicLong(1000);

  /** A seq no other request of this JVM uses. */
  static long seq() {
    return SEQ.incrementAndGet();
  }
}
