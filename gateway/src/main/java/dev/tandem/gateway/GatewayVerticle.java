package dev.tandem.gateway;

import dev.tandem.gateway.docs.DocHub;
import dev.tandem.gateway.docs.Session;
import dev.tandem.gateway.kafka.Feed;
import dev.tandem.gateway.kafka.Submitter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The document gateway: ShareDB over WebSocket at {@code /v1/docs}, {@code GET /health},
 * {@code GET /metrics} and the demo client at {@code /}. The Kafka feed and producer run on
 * their own threads; everything about sessions and documents runs on this verticle's event loop.
 */
public final class GatewayVerticle extends VerticleBase {

  private final GatewayConfig config;
  private final Map<String, BooleanSupplier> healthChecks = new ConcurrentHashMap<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private Submitter submitter;
  private Feed feed;
  private Thread feedThread;
  private DocHub hub;
  private HttpServer server;

  public GatewayVerticle(GatewayConfig config) {
    this.config = config;
  }

  /** Adds a check that {@code /health} requires, such as "ot-service is running". */
  public GatewayVerticle withHealthCheck(String name, BooleanSupplier check) {
    healthChecks.put(name, check);
    return this;
  }

  /** The port the server listens on (useful when configured with 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Context context = vertx.getOrCreateContext();
    submitter = new Submitter(config.bootstrapServers(), config.instanceId() + "-submit", config.topics().submitted());
    hub = new DocHub(vertx, config, submitter);
    feed = new Feed(config.bootstrapServers(), config.instanceId() + "-feed",
        List.of(config.topics().committed(), config.topics().replies()),
        batch -> context.runOnContext(v -> hub.onFeed(batch)));
    healthChecks.put("kafka feed", feed::positioned);
    return vertx.executeBlocking(() -> {
      submitter.warmUp();
      feedThread = new Thread(feed, "gateway-feed-" + config.instanceId());
      feedThread.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (!feed.positioned() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      if (!feed.positioned()) {
        throw new IllegalStateException("the gateway could not read the event log from Kafka");
      }
      return null;
    }).compose(v -> listen());
  }

  private Future<HttpServer> listen() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> {
      StringBuilder body = new StringBuilder();
      boolean ok = true;
      for (var check : healthChecks.entrySet()) {
        boolean up = check.getValue().getAsBoolean();
        ok &= up;
        body.append(check.getKey()).append(": ").append(up ? "up" : "DOWN").append('\n');
      }
      ctx.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "text/plain").end(body.toString());
    });
    router.get("/metrics").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4")
        .end(metrics()));
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        // Larger messages are answered with ERR_MESSAGE_TOO_LARGE; past 4x the limit the socket closes.
        .setMaxWebSocketMessageSize(Math.max(config.maxMessageBytes() * 4, 65536))
        .setMaxWebSocketFrameSize(65536)
        // Thousands of clients reconnect at once after a network blip; let the kernel queue them.
        .setAcceptBacklog(4096)
        .setRegisterWebSocketWriteHandlers(false);
    server = vertx.createHttpServer(options);
    server.webSocketHandshakeHandler(handshake -> {
      if ("/v1/docs".equals(handshake.path())) {
        handshake.accept();
      } else {
        handshake.reject(404);
      }
    });
    server.webSocketHandler(ws -> {
      sessions.incrementAndGet();
      ws.closeHandler(v -> sessions.decrementAndGet());
      new Session(ws, hub, config);
    });
    vertx.setPeriodic(10_000, id -> hub.evictIdle());
    return server.requestHandler(router).listen();
  }

  private String metrics() {
    return "# TYPE tandem_gateway_sessions gauge\n"
        + "tandem_gateway_sessions " + sessions.get() + "\n"
        + "# TYPE tandem_gateway_open_documents gauge\n"
        + "tandem_gateway_open_documents " + hub.openDocuments() + "\n"
        + "# TYPE tandem_gateway_ops_submitted_total counter\n"
        + "tandem_gateway_ops_submitted_total " + hub.submittedCount() + "\n"
        + "# TYPE tandem_gateway_ops_acked_total counter\n"
        + "tandem_gateway_ops_acked_total " + hub.ackedCount() + "\n"
        + "# TYPE tandem_gateway_ops_rejected_total counter\n"
        + "tandem_gateway_ops_rejected_total " + hub.rejectedCount() + "\n";
  }

  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.compose(v -> vertx.executeBlocking(() -> {
      feed.stop();
      feedThread.join(10_000);
      submitter.close();
      return null;
    }));
  }
}
