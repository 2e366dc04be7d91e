package dev.tandem.signal.sfu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session on one Janus instance over its HTTP API, with every request carrying the API
 * secret (clients never talk to Janus, and never see it). Requests answer with a future: a
 * synchronous plugin request with its {@code plugindata.data}, an asynchronous one (with a JSEP)
 * with the event that answers its transaction. Events without a waiting transaction (a feed
 * published, a participant left) go to the handler of the handle they come from. A long poll
 * keeps the session alive and carries the events; when it fails {@link #onLost} runs once.
 * Confined to the context it was created on.
 */
public final class JanusClient {

  private static final Logger LOG = LoggerFactory.getLogger(JanusClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String VIDEOROOM = "janus.plugin.videoroom";

  private final Vertx vertx;
  private final Context context;
  private final String url;
  private final String apiSecret;
  private final HttpClientAgent http;
  private final AtomicLong transactions = new AtomicLong();
  private final Map<String, Promise<JsonNode>> waiting = new HashMap<>();
  private final Map<Long, BiConsumer<JsonNode, JsonNode>> handles = new HashMap<>();
  private long session = -1;
  private boolean lost;
  private Runnable onLost = () -> { };

  public JanusClient(Vertx vertx, String url, String apiSecret) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.apiSecret = apiSecret;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000).setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(16));
  }

  public String url() {
    return url;
  }

  public boolean lost() {
    return lost;
  }

  /** Runs once when the instance stops answering. */
  public void onLost(Runnable action) {
    onLost = action;
  }

  /** Creates the session and starts its long poll. */
  public Future<Void> connect() {
    return post(url, request("create")).map(r -> {
      session = r.path("data").path("id").asLong();
      poll();
      return null;
    });
  }

  /** A new handle on the VideoRoom plugin; its unsolicited events go to {@code events} (plugin data, jsep). */
  public Future<Long> attach(BiConsumer<JsonNode, JsonNode> events) {
    ObjectNode r = request("attach");
    r.put("plugin", VIDEOROOM);
    return post(url + "/" + session, r).map(a -> {
      long id = a.path("data").path("id").asLong();
      handles.put(id, events);
      return id;
    });
  }

  /** Detaches a handle (its peer connection with Janus closes). */
  public Future<Void> detach(long handle) {
    handles.remove(handle);
    if (lost) {
      return Future.succeededFuture();
    }
    return post(url + "/" + session + "/" + handle, request("detach")).mapEmpty();
  }

  /**
   * A plugin request: {@code body} with an optional {@code jsep}. Answers with the plugin data of
   * a synchronous answer, or with {@code {"data": pluginData, "jsep": jsep}} of the event that
   * ends an asynchronous one.
   */
  public Future<JsonNode> message(long handle, ObjectNode body, JsonNode jsep) {
    ObjectNode r = request("message");
    r.set("body", body);
    if (jsep != null) {
      r.set("jsep", jsep);
    }
    String tx = r.get("transaction").textValue();
    Promise<JsonNode> done = Promise.promise();
    waiting.put(tx, done);
    post(url + "/" + session + "/" + handle, r).onComplete(ar -> {
      if (ar.failed()) {
        fail(tx, ar.cause());
        return;
      }
      JsonNode a = ar.result();
      if ("success".equals(a.path("janus").asText())) {
        waiting.remove(tx);
        JsonNode data = a.path("plugindata").path("data");
        if (data.has("error_code")) {
          done.tryFail(new JanusException(data.path("error_code").asInt(), data.path("error").asText()));
        } else {
          done.tryComplete(data);
        }
      }
      // "ack": the answer comes as an event with this transaction.
    });
    long timer = vertx.setTimer(15_000, t -> fail(tx, new JanusException(0, "no answer from Janus within 15 s")));
    return done.future().onComplete(x -> vertx.cancelTimer(timer));
  }

  /** Trickles a candidate ({@code null}: gathering is complete). */
  public Future<Void> trickle(long handle, JsonNode candidate) {
    ObjectNode r = request("trickle");
    if (candidate == null || candidate.isNull()) {
      r.putObject("candidate").put("completed", true);
    } else {
      r.set("candidate", candidate);
    }
    return post(url + "/" + session + "/" + handle, r).mapEmpty();
  }

  /** Ends the session. */
  public void close() {
    if (!lost && session >= 0) {
      post(url + "/" + session, request("destroy"));
    }
    lost = true;
    http.close();
  }

  private void fail(String tx, Throwable cause) {
    Promise<JsonNode> p = waiting.remove(tx);
    if (p != null) {
      p.tryFail(cause);
    }
  }

  private ObjectNode request(String janus) {
    ObjectNode r = NODES.objectNode();
    r.put("janus", janus);
    r.put("transaction", "t" + transactions.incrementAndGet());
    if (apiSecret != null) {
      r.put("apisecret", apiSecret);
    }
    return r;
  }

  private void poll() {
    if (lost) {
      return;
    }
    String uri = url + "/" + session + "?maxev=10" + (apiSecret == null ? "" : "&apisecret=" + apiSecret);
    http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri).setIdleTimeout(45_000))
        .compose(req -> req.send().compose(HttpClientResponse::body))
        .onComplete(ar -> context.runOnContext(v -> {
          if (ar.failed()) {
            lose("the long poll failed: " + ar.cause());
            return;
          }
          JsonNode events;
          try {
            events = JSON.readTree(ar.result().getBytes());
          } catch (java.io.IOException e) {
            lose("the long poll answered something that is not JSON");
            return;
          }
          if (events.isObject() && "error".equals(events.path("janus").asText())) {
            lose("the session is gone: " + events.path("error").path("reason").asText());
            return;
          }
          for (JsonNode e : events.isArray() ? events : NODES.arrayNode().add(events)) {
            dispatch(e);
          }
          poll();
        }));
  }

  private void dispatch(JsonNode e) {
    String kind = e.path("janus").asText();
    if (kind.equals("keepalive")) {
      return;
    }
    String tx = e.path("transaction").asText(null);
    JsonNode data = e.path("plugindata").path("data");
    JsonNode jsep = e.get("jsep");
    if (kind.equals("event") && tx != null && waiting.containsKey(tx)) {
      Promise<JsonNode> p = waiting.remove(tx);
      if (data.has("error_code")) {
        p.tryFail(new JanusException(data.path("error_code").asInt(), data.path("error").asText()));
      } else {
        ObjectNode out = NODES.objectNode();
        out.set("data", data);
        if (jsep != null) {
          out.set("jsep", jsep);
        }
        p.tryComplete(out);
      }
      return;
    }
    BiConsumer<JsonNode, JsonNode> h = handles.get(e.path("sender").asLong());
    if (h != null) {
      if (kind.equals("event")) {
        h.accept(data, jsep);
      } else if (kind.equals("hangup") || kind.equals("detached")) {
        ObjectNode gone = NODES.objectNode();
        gone.put("tandem", kind);
        h.accept(gone, null);
      }
    }
  }

  private void lose(String why) {
    if (lost) {
      return;
    }
    lost = true;
    LOG.warn("Janus at {} is lost: {}", url, why);
    waiting.values().forEach(p -> p.tryFail(new JanusException(0, "Janus is gone")));
    waiting.clear();
    onLost.run();
  }

  private Future<JsonNode> post(String to, ObjectNode body) {
    Promise<JsonNode> done = Promise.promise();
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(to).setIdleTimeout(10_000))
        .compose(req -> req.send(Buffer.buffer(body.toString())).compose(HttpClientResponse::body))
        .onComplete(ar -> context.runOnContext(v -> {
          if (ar.failed()) {
            done.fail(new JanusException(0, "Janus at " + url + " did not answer: " + ar.cause().getMessage()));
            return;
          }
          try {
            JsonNode r = JSON.readTree(ar.result().getBytes());
            if ("error".equals(r.path("janus").asText())) {
              done.fail(new JanusException(r.path("error").path("code").asInt(), r.path("error").path("reason").asText()));
            } else {
              done.complete(r);
            }
          } catch (java.io.IOException e) {
            done.fail(new JanusException(0, "Janus answered something that is not JSON"));
          }
        }));
    return done.future();
  }

  /** An error Janus reported (its code; 0 when Janus did not answer). */
  public static final class JanusException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int code;

    JanusException(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }
}
