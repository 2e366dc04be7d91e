package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.history.HistoryException;
import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.history.cli.OpLines;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.ShareDbErrors;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Documents over plain HTTP, for tools that do not speak OT:
 * {@code GET /v1/docs/{collection}/{id}/ops?from=&to=} streams the committed ops as JSON lines;
 * {@code GET /v1/docs/{collection}/{id}} answers {@code {v, type, data}};
 * {@code PUT /v1/docs/{collection}/{id}[?v=N]} takes the whole new text of a text-unicode
 * document ({@link TextPut}).
 */
public final class DocsHttp {

  private static final Logger LOG = LoggerFactory.getLogger(DocsHttp.class);
  private static final int CHUNK = 64 * 1024;
  private static final String BODY_TIMER = "tandem.bodyTimer";

  private final Vertx vertx;
  private final DocHub hub;
  private final GatewayConfig config;
  private final Context hubContext;
  private final Semaphore opsStreams;
  private final Duration bodyTimeout;
  private final TextPut put;

  /** Routes on one server instance; {@code limits} are shared by every instance of the gateway. */
  public DocsHttp(Vertx vertx, DocHub hub, GatewayConfig config, Context hubContext, HttpLimits limits) {
    this.vertx = vertx;
    this.hub = hub;
    this.config = config;
    this.hubContext = hubContext;
    this.opsStreams = limits.opsStreams();
    this.bodyTimeout = limits.bodyTimeout();
    this.put = new TextPut(hub, config, hubContext, limits.diffs());
  }

  public void mount(Router router) {
    router.get("/v1/docs/:c/:d/ops").handler(this::ops);
    router.get("/v1/docs/:c/:d").handler(this::get);
    // The body must arrive within the body timeout, or the connection is closed.
    router.put("/v1/docs/:c/:d").handler(ctx -> {
      HttpConnection connection = ctx.request().connection();
      ctx.put(BODY_TIMER, vertx.setTimer(bodyTimeout.toMillis(), t -> {
        LOG.debug("closing a connection whose PUT body did not arrive within {} ms", bodyTimeout.toMillis());
        connection.close();
      }));
      ctx.next();
    });
    router.put("/v1/docs/:c/:d").handler(BodyHandler.create().setBodyLimit(config.maxMessageBytes())
        // The body is the text; a multipart body must not write files to the server's disk.
        .setHandleFileUploads(false));
    router.put("/v1/docs/:c/:d").handler(ctx -> {
      cancelBodyTimer(ctx);
      put.handle(ctx);
    });
    // A body over the limit is the client's mistake: a JSON error, not an unhandled failure in the log.
    router.put("/v1/docs/:c/:d").failureHandler(ctx -> {
      cancelBodyTimer(ctx);
      if (ctx.statusCode() == 413) {
        error(ctx.response(), 413, ShareDbErrors.TOO_LARGE, "the body is over the limit of " + config.maxMessageBytes()
            + " bytes");
      } else {
        ctx.next();
      }
    });
  }

  private void cancelBodyTimer(RoutingContext ctx) {
    Long timer = ctx.get(BODY_TIMER);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  static DocKey key(RoutingContext ctx) {
    String c = ctx.pathParam("c");
    String d = ctx.pathParam("d");
    if (c == null || c.isEmpty() || c.indexOf('/') >= 0 || d == null || d.isEmpty()) {
      throw new IllegalArgumentException("the path names no document");
    }
    return new DocKey(c, d);
  }

  /** The document the path names, or null after answering 400. */
  static DocKey keyOrRefuse(RoutingContext ctx) {
    try {
      return key(ctx);
    } catch (IllegalArgumentException e) {
      error(ctx.response(), 400, ShareDbErrors.MESSAGE_BADLY_FORMED, e.getMessage());
      return null;
    }
  }

  static Long param(RoutingContext ctx, String name) {
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

  /** Answers a JSON error {@code {"error": {code, message}}}, unless the response is over already. */
  static void error(HttpServerResponse response, int status, String code, String message) {
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
}
