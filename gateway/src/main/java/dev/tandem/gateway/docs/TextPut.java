package dev.tandem.gateway.docs;

import static dev.tandem.gateway.docs.DocsHttp.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.access.web.RequestPrincipal;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.ShareDbErrors;
import dev.tandem.schemas.SubmittedOp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole-content PUT ({@code PUT /v1/docs/{collection}/{id}[?v=N]}, the body the document's new
 * text): diffs it against the version it was based on ({@code v}, default the current one) within
 * {@link DiffRunner}'s budget and commits the difference as one op based on that version, so
 * ot-service transforms it past whatever was committed since and concurrent editors keep their
 * work. Creates a missing document; answers 415 for a document of another type.
 */
final class TextPut {

  private static final Logger LOG = LoggerFactory.getLogger(TextPut.class);
  private static final String TEXT = "http://sharejs.org/types/text-unicode";

  private final DocHub hub;
  private final GatewayConfig config;
  private final Context hubContext;
  private final DiffRunner diffs;

  TextPut(DocHub hub, GatewayConfig config, Context hubContext, DiffRunner diffs) {
    this.hub = hub;
    this.config = config;
    this.hubContext = hubContext;
    this.diffs = diffs;
  }

  /**
   * Whole-content submission: the body is the document's new text (UTF-8). At most
   * {@link DiffRunner#limit()} are in progress per gateway (429 beyond); the diff runs on the
   * runner's threads within its budget; a document of another type is answered 415.
   */
  void handle(RoutingContext ctx) {
    DocKey key = DocsHttp.keyOrRefuse(ctx);
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
    // Who: the principal the door admitted the request as (HttpDoors, mounted before these routes).
    String user = RequestPrincipal.of(ctx).orElseThrow().user();
    try {
      base = DocsHttp.param(ctx, "v");
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
    if (base != null && base > view.version()) {
      error(response, 409, ShareDbErrors.OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT, "version " + base
          + " is past the document's version " + view.version());
      return;
    }
    if (view.type().isPresent() && !TEXT.equals(view.type().get().uri())) {
      notText(response, key, view.type().get().uri());
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
        ? Future.succeededFuture(textOf(key, TEXT, view.snapshotData().get("data")))
        : hub.history().snapshot(key, at, null).map(s -> textOf(key, s.type(), s.data()));
    before.compose(old -> diffs.diff(old, body)).onComplete(diff -> hubContext.runOnContext(x -> {
      if (diff.failed()) {
        answerFailure(response, key, diff.cause());
        return;
      }
      ArrayNode op = diff.result().op();
      if (op.isEmpty()) {
        respond(response, 200, view.version(), false);
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
