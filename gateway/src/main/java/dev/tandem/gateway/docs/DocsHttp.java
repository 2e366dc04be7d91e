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

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static final int CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final DocHub hub;
  private final GatewayConfig config;
  private final Context hubContext;

  public DocsHttp(Vertx vertx, DocHub hub, GatewayConfig config, Context hubContext) {
    this.vertx = vertx;
    this.hub = hub;
    this.config = config;
    this.hubContext = hubContext;
  }

  public void mount(Router router) {
    router.get("/v1/docs/:c/:d/ops").handler(this::ops);
    router.get("/v1/docs/:c/:d").handler(this::get);
    router.put("/v1/docs/:c/:d").handler(BodyHandler.create().setBodyLimit(config.maxMessageBytes()));
    router.put("/v1/docs/:c/:d").handler(this::put);
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
    boolean[] gone = {false};
    response.closeHandler(v -> gone[0] = true);
    vertx.executeBlocking(() -> {
      long[] lines = {0};
      StringBuilder chunk = new StringBuilder();
      try (LogReader reader = new LogReader(config.bootstrapServers())) {
        hub.history().open(reader).ops(key, from, to, op -> {
          if (gone[0]) {
            return false;
          }
          if (lines[0]++ == 0) {
            response.setChunked(true).putHeader("content-type", "application/x-ndjson");
          }
          chunk.append(OpLines.line(op)).append('\n');
          if (chunk.length() >= CHUNK) {
            response.write(Buffer.buffer(chunk.toString()));
            chunk.setLength(0);
            while (response.writeQueueFull() && !gone[0]) {
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
    }, false).onFailure(e -> {
      if (!response.headWritten()) {
        boolean down = e instanceof HistoryException h && h.kind() == HistoryException.Kind.UNREACHABLE;
        error(response, down ? 503 : 500, down ? ShareDbErrors.SERVICE_UNAVAILABLE : ShareDbErrors.UNKNOWN_ERROR,
            String.valueOf(e.getMessage()));
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

  /** Whole-content submission: the body is the document's new text (UTF-8). */
  private void put(RoutingContext ctx) {
    DocKey key = keyOrRefuse(ctx);
    if (key == null) {
      return;
    }
    String text = ctx.body().asString("UTF-8");
    if (text == null) {
      text = "";
    }
    if (text.codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)) {
      error(ctx.response(), 400, ShareDbErrors.MESSAGE_BADLY_FORMED, "the text holds an unpaired surrogate");
      return;
    }
    String body = text;
    Long base;
    try {
      base = param(ctx, "v");
    } catch (IllegalArgumentException e) {
      error(ctx.response(), 400, ShareDbErrors.MESSAGE_BADLY_FORMED, e.getMessage());
      return;
    }
    HttpServerResponse response = ctx.response();
    // Who: the principal the door admitted the request as (HttpDoors, mounted before these routes).
    String user = dev.tandem.access.web.RequestPrincipal.of(ctx).orElseThrow().user();
    hubContext.runOnContext(v -> hub.open(key, view -> {
      String src = "put-" + UUID.randomUUID().toString().replace("-", "");
      if (base != null && base > view.version()) {
        error(response, 409, ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT, "version " + base
            + " is past the document's version " + view.version());
        return;
      }
      if (view.type().isEmpty() && (base == null || base == view.version())) {
        SubmittedOp create = new SubmittedOp(1, "create", key.collection(), key.id(), src, 1L, view.version(), null,
            new CreateData(TEXT, JsonNodeFactory.instance.textNode(body)), null, config.instanceId(), null, user,
            System.currentTimeMillis());
        commit(response, create, true);
        return;
      }
      long at = base == null ? view.version() : base;
      Future<String> before = at == view.version()
          ? Future.succeededFuture(textOf(key, view.type().map(t -> t.uri()).orElse(null),
              view.snapshotData().get("data")))
          : hub.history().snapshot(key, at, null).map(s -> textOf(key, s.type(), s.data()));
      before.compose(old -> vertx.executeBlocking(() -> TextDiff.op(old, body), false)).onComplete(diff ->
          hubContext.runOnContext(x -> {
            if (diff.failed()) {
              Throwable e = diff.cause();
              if (e instanceof IllegalStateException) {
                error(response, 409, ShareDbErrors.DOC_TYPE_NOT_RECOGNIZED, e.getMessage());
              } else {
                error(response, 503, ShareDbErrors.SERVICE_UNAVAILABLE, String.valueOf(e.getMessage()));
              }
              return;
            }
            ArrayNode op = diff.result();
            if (op.isEmpty()) {
              respond(response, 200, view.version(), false);
              return;
            }
            commit(response, new SubmittedOp(1, "op", key.collection(), key.id(), src, 1L, at, op, null, null,
                config.instanceId(), null, user, System.currentTimeMillis()), false);
          }));
    }, failure -> error(response, 503, failure.code(), failure.message())));
  }

  /** The text of a text-unicode document; IllegalStateException for any other. */
  private static String textOf(DocKey key, String type, JsonNode data) {
    if (type == null) {
      throw new IllegalStateException(key + " does not exist at that version");
    }
    if (!TEXT.equals(type) || data == null || !data.isTextual()) {
      throw new IllegalStateException(key + " is a " + type + " document; whole-content PUT takes text-unicode documents");
    }
    return data.textValue();
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
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("v", version);
    body.put("changed", changed);
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
  }
}
