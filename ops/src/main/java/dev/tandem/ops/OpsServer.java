package dev.tandem.ops;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The HTTP port of a service that serves no clients (ot-service, presence-service):
 * {@code /health/live}, {@code /health/ready}, {@code /health} and {@code /metrics}, nothing else.
 */
public final class OpsServer extends VerticleBase {

  private final String host;
  private final int port;
  private final Probes probes;
  private final Telemetry telemetry;
  private volatile HttpServer server;

  public OpsServer(String host, int port, Probes probes, Telemetry telemetry) {
    this.host = host;
    this.port = port;
    this.probes = probes;
    this.telemetry = telemetry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    probes.mount(vertx, router);
    router.get("/metrics").handler(telemetry.scrapeHandler());
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setIdleTimeout(60))
        .requestHandler(router).listen().onSuccess(s -> server = s);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
