package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.history.HistoryException;
import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.history.cli.OpLines;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Documents over plain HTTP, for tools that do not speak OT:
 * {@code GET /v1/docs/{collection}/{id}/ops?from=&to=} streams the committed ops as JSON lines;
 * {@code GET /v1/docs/{collection}/{id}} answers {@code {v, type, data}};
 * {@code PUT /v1/docs/{collection}/{id}[?v=N]} takes the whole new text of a text-unicode
 * document, diffs it against the version it was based on ({@code v}, default the current one)
 * and commits the difference as one op based on that version: ot-service transforms it past
 * whatever was committed since, so concurrent editors keep their work.
 */
public final class DocsHttp {

  private static final Logger LOG = LoggerFactory.getLogger(DocsHttp.class);
  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static final int CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final DocHub hub;
  private final GatewayConfig config;
  private final Context hubContext;
  private final DiffRunner diffs;
  private final Semaphore opsStreams;

  /**
   * Routes on one server instance; {@code diffs} and {@code opsStreams} (permits for ops streams
   * in progress) are shared by every instance of the gateway.
   */
  public DocsHttp(Vertx vertx, DocHub hub, GatewayConfig config, Context hubContext, DiffRunner diffs,
      Semaphore opsStreams) {
    this.vertx = vertx;
    this.hub = hub;
    this.config = config;
    this.hubContext = hubContext;
    this.diffs = diffs;
    this.opsStreams = opsStreams;
  }

  public void mount(Router router) {
    router.get("/v1/docs/:c/:d/ops").handler(this::ops);
    router.get("/v1/docs/:c/:d").handler(this::get);
    router.put("/v1/docs/:c/:d").handler(BodyHandler.create().setBodyLimit(config.maxMessageBytes())
        // The body is the text; a multipart body must not write files to the server's disk.
        .setHandleFileUploads(false));
    router.put("/v1/docs/:c/:d").handler(this::put);
    // A body over the limit is the client's mistake: a JSON error, not an unhandled failure in the log.
    router.put("/v1/docs/:c/:d").failureHandler(ctx -> {
      if (ctx.statusCode() == 413) {
        error(ctx.response(), 413, ShareDbErrors.TOO_LARGE, "the body is over the limit of " + config.maxMessageBytes()
            + " bytes");
      } else {
        ctx.next();
      }
    });
  }

  private static DocKey key(RoutingContext ctx) {
    String c = ctx.pathParam("c");
    String d = ctx.pathParam("d");
    if (c == null || c.isEmpty() || c.indexOf('/') >= 0 || d == null || d.isEmpty()) {
      throw new IllegalArgumentException("the path names no document");
    }
    return new DocKey(c, d);
  }

  /** The document the path names, or null after answering 400. */
  private static DocKey keyOrRefuse(RoutingContext ctx) {
    try {
      return key(ctx);
    } catch (IllegalArgumentException e) {
      error(ctx.response(), 400, ShareDbErrors.MESSAGE_BADLY_FORMED, e.getMessage());
      return null;
    }
  }

  private static Long param(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a version (a whole number >= 0), got " + v);
    }
  }

  private static void error(HttpServerResponse response, int status, String code, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putObject("error").put("code", code).put("message", message);
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
  }

  /** Streams the ops as JSON lines from a worker, in chunks, waiting while the client is slow. */
  private void ops(RoutingContext ctx) {
    DocKey key;
    long from;
    Long to;
    try {
      key = key(ctx);
      Long f = param(ctx, "from");
      from = f == null ? 0 : f;
      to = param(ctx, "to");
      if (to != null && to < from) {
        throw new IllegalArgumentException("to (" + to + ") is before from (" + from + ")");
      }
    } catch (IllegalArgumentException e) {
      error(ctx.response(), 400, ShareDbErrors.MESSAGE_BADLY_FORMED, e.getMessage());
      return;
    }
    HttpServerResponse response = ctx.response();
    if (!opsStreams.tryAcquire()) {
      response.putHeader("retry-after", "1");
      error(response, 429, ShareDbErrors.RATE_LIMITED, "too many ops streams in progress on this server; try again shortly");
      return;
    }
    AtomicBoolean gone = new AtomicBoolean();
    response.closeHandler(v -> gone.set(true));
    vertx.executeBlocking(() -> {
      long[] lines = {0};
      StringBuilder chunk = new StringBuilder();
      try (LogReader reader = new LogReader(config.bootstrapServers())) {
        hub.history().open(reader).ops(key, from, to, op -> {
          if (gone.get()) {
            return false;
          }
          if (lines[0]++ == 0) {
            response.setChunked(true).putHeader("content-type", "application/x-ndjson");
          }
          chunk.append(OpLines.line(op)).append('\n');
          if (chunk.length() >= CHUNK) {
            response.write(Buffer.buffer(chunk.toString()));
            chunk.setLength(0);
            while (response.writeQueueFull() && !gone.get()) {
              sleep(5);
            }
          }
          return true;
        }, Progress.NONE);
      }
      if (lines[0] == 0) {
        error(response, 404, ShareDbErrors.DOC_DOES_NOT_EXIST, "no ops of " + key + (from > 0 ? " from version " + from : "")
            + " in the log");
      } else {
        response.end(Buffer.buffer(chunk.toString()));
      }
      return null;
    }, false).onComplete(done -> opsStreams.release()).onFailure(e -> {
      HistoryException.Kind kind = e instanceof HistoryException h ? h.kind() : HistoryException.Kind.CORRUPTED;
      if (!response.headWritten()) {
        switch (kind) {
          // The client asked for what is not there: its own message says what.
          case UNKNOWN_DOCUMENT, PAST_THE_END -> error(response, 404, ShareDbErrors.DOC_DOES_NOT_EXIST, e.getMessage());
          case UNREACHABLE -> error(response, 503, ShareDbErrors.SERVICE_UNAVAILABLE,
              "the event log cannot be read now; try again");
          default -> {
            LOG.warn("ops stream of {} failed: {}", key, e.toString());
            error(response, 500, ShareDbErrors.UNKNOWN_ERROR, "the ops of " + key + " could not be read");
          }
        }
      } else {
        response.reset();
      }
    });
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whole-content submission: the body is the document's new text (UTF-8). At most
   * {@link DiffRunner#limit()} are in progress per gateway (429 beyond); the diff runs on the
   * runner's threads within its budget; a document of another type is answered 415.
   */
  private void put(RoutingContext ctx) {
    DocKey key = keyOrRefuse(ctx);
    if (key == null) {
      return;
    }
    HttpServerResponse response = ctx.response();
    String text = ctx.body().asString("UTF-8");
    String body = text == null ? "" : text;
    if (body.codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)) {
      error(response, 400, ShareDbErrors.MESSAGE_BADLY_FORMED, "the text holds an unpaired surrogate");
      return;
    }
    Long base;
    String user;
    try {
      base = param(ctx, "v");
      user = Author.of(ctx.request().headers(), ctx.request().uri()).orElse(null);
    } catch (IllegalArgumentException e) {
      error(response, 400, ShareDbErrors.MESSAGE_BADLY_FORMED, e.getMessage());
      return;
    }
    if (!diffs.tryStart()) {
      response.putHeader("retry-after", "1");
      error(response, 429, ShareDbErrors.RATE_LIMITED, "more than " + diffs.limit()
          + " whole-content PUTs in progress on this server; try again shortly");
      return;
    }
    boolean[] released = {false};
    ctx.addEndHandler(v -> {
      if (!released[0]) {
        released[0] = true;
        diffs.finished();
      }
    });
    hubContext.runOnContext(v -> hub.open(key, view -> {
      try {
        put(response, key, view, base, body, user);
      } catch (RuntimeException e) {
        LOG.error("whole-content PUT of {} failed", key, e);
        error(response, 500, ShareDbErrors.UNKNOWN_ERROR, "the server could not apply this PUT");
      }
    }, failure -> error(response, 503, failure.code(), failure.message())));
  }

  /** The PUT once the document is open, on the hub's event loop. */
  private void put(HttpServerResponse response, DocKey key, DocView view, Long base, String body, String user) {
    String src = "put-" + UUID.randomUUID().toString().replace("-", "");
    if (base != null && base > view.version) {
      error(response, 409, ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT, "version " + base
          + " is past the document's version " + view.version);
      return;
    }
    if (view.type != null && !TEXT.equals(view.type.uri())) {
      notText(response, key, view.type.uri());
      return;
    }
    if (view.type == null && (base == null || base == view.version)) {
      SubmittedOp create = new SubmittedOp(1, "create", key.collection(), key.id(), src, 1L, view.version, null,
          new CreateData(TEXT, JsonNodeFactory.instance.textNode(body)), null, config.instanceId(), null, user,
          System.currentTimeMillis());
      commit(response, create, true);
      return;
    }
    long at = base == null ? view.version : base;
    Future<String> before = at == view.version
        ? Future.succeededFuture(textOf(key, TEXT, view.content.snapshot()))
        : hub.history().snapshot(key, at, null).map(s -> textOf(key, s.type(), s.data()));
    before.compose(old -> diffs.diff(old, body)).onComplete(diff -> hubContext.runOnContext(x -> {
      if (diff.failed()) {
        answerFailure(response, key, diff.cause());
        return;
      }
      ArrayNode op = diff.result().op();
      if (op.isEmpty()) {
        respond(response, 200, view.version, false);
        return;
      }
      commit(response, new SubmittedOp(1, "op", key.collection(), key.id(), src, 1L, at, op, null, null,
          config.instanceId(), null, user, System.currentTimeMillis()), false);
    }));
  }

  private static void answerFailure(HttpServerResponse response, DocKey key, Throwable e) {
    if (e instanceof NotText n) {
      notText(response, key, n.type);
    } else if (e instanceof Missing m) {
      error(response, 409, ShareDbErrors.DOC_DOES_NOT_EXIST, m.getMessage());
    } else if (e instanceof DiffRunner.Busy) {
      response.putHeader("retry-after", "1");
      error(response, 429, ShareDbErrors.RATE_LIMITED, "too many whole-content PUTs in progress on this server; try again shortly");
    } else if (e instanceof CancellationException) {
      error(response, 503, ShareDbErrors.SERVICE_UNAVAILABLE, "the server is stopping; try again");
    } else {
      LOG.warn("whole-content PUT of {}: the base version could not be read: {}", key, e.toString());
      error(response, 503, ShareDbErrors.SERVICE_UNAVAILABLE, "the document's history could not be read; try again");
    }
  }

  private static void notText(HttpServerResponse response, DocKey key, String type) {
    error(response, 415, ShareDbErrors.DOC_TYPE_NOT_RECOGNIZED, key + " is a " + type
        + " document; whole-content PUT takes text-unicode documents only (send json0 ops over /v1/docs)");
  }

  /** The text of a text-unicode document. */
  private static String textOf(DocKey key, String type, JsonNode data) {
    if (type == null) {
      throw new Missing(key + " does not exist at that version");
    }
    if (!TEXT.equals(type) || data == null || !data.isTextual()) {
      throw new NotText(type);
    }
    return data.textValue();
  }

  /** The base version names a document of another type. */
  private static final class NotText extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String type;

    NotText(String type) {
      super(type, null, false, false);
      this.type = type;
    }
  }

  /** The base version has no document. */
  private static final class Missing extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Missing(String message) {
      super(message, null, false, false);
    }
  }

  private void get(RoutingContext ctx) {
    DocKey key = keyOrRefuse(ctx);
    if (key == null) {
      return;
    }
    HttpServerResponse response = ctx.response();
    hubContext.runOnContext(v -> hub.open(key, view -> {
      String body = view.snapshotData().toString();
      response.putHeader("content-type", "application/json").end(body);
    }, failure -> error(response, 503, failure.code(), failure.message())));
  }

  private void commit(HttpServerResponse response, SubmittedOp op, boolean created) {
    hub.submitForRequest(op).onComplete(done -> {
      if (done.succeeded()) {
        respond(response, created ? 201 : 200, done.result() + 1, true);
        return;
      }
      OpError e = done.cause() instanceof DocHub.OpFailure f ? f.error
          : new OpError(ShareDbErrors.UNKNOWN_ERROR, String.valueOf(done.cause().getMessage()));
      error(response, ShareDbErrors.SERVICE_UNAVAILABLE.equals(e.code()) ? 503 : 409, e.code(), e.message());
    });
  }

  private static void respond(HttpServerResponse response, int status, long version, boolean changed) {
    if (response.ended() || response.closed()) {
      return;
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("v", version);
    body.put("changed", changed);
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
  }
}
