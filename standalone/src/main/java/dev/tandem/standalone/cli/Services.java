package dev.tandem.standalone.cli;

import dev.tandem.access.AccessConfig;
import dev.tandem.access.TlsFiles;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.GatewayVerticle;
import dev.tandem.gateway.TransportConfig;
import dev.tandem.ops.OpsServer;
import dev.tandem.ops.Probes;
import dev.tandem.ops.Settings;
import dev.tandem.ops.Telemetry;
import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.OtServiceVerticle;
import dev.tandem.presence.PresenceConfig;
import dev.tandem.presence.PresenceServiceVerticle;
import dev.tandem.schemas.Topics;
import dev.tandem.signal.SignalingConfig;
import dev.tandem.signal.SignalingVerticle;
import io.vertx.core.Future;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * Each service started alone, from its settings: it needs only a Kafka bootstrap address. Every
 * one serves {@code /health/live}, {@code /health/ready}, {@code /health} and {@code /metrics}
 * on its port; gateway and signaling serve their clients there too.
 */
final class Services {

  /** Default HTTP ports, one per service so that they can share a host. */
  static final int GATEWAY_PORT = 8080;
  static final int OT_SERVICE_PORT = 8081;
  static final int PRESENCE_PORT = 8082;
  static final int SIGNALING_PORT = 8090;

  private Services() {}

  /** Ends a dry run once the settings are read. */
  private static final class Configured extends RuntimeException {
    Configured() {
      super(null, null, false, false);
    }
  }

  /**
   * Every setting {@code command} reads: its configuration code run on no settings, stopped once
   * they are read and before anything starts.
   */
  static java.util.Set<String> settingsRead(String command) {
    Settings s = new Settings(Map.of());
    Runnable stop = () -> {
      throw new Configured();
    };
    try {
      switch (command) {
        case "gateway" -> gateway(s, stop);
        case "ot-service" -> otService(s, stop);
        case "presence" -> presence(s, stop);
        case "signaling" -> signaling(s, stop);
        default -> throw new IllegalArgumentException("not a service command: " + command);
      }
    } catch (Configured done) {
      // The settings are read.
    }
    // What every service command reads besides (TandemCli.ServiceCommand#call).
    s.text("TANDEM_HOST", "127.0.0.1");
    s.millis("TANDEM_DRAIN_MS", 5000, 0);
    return s.namesRead();
  }

  /** Reads (and checks) the topic settings before anything starts. */
  private static void readTopicSettings(Settings s) {
    s.text("TANDEM_TOPIC_PREFIX", "tandem");
    s.integer("TANDEM_PARTITIONS", 8, 1, 10_000);
    s.millis("TANDEM_DRAIN_MS", 5000, 0);
  }

  /** The topics with the service's partition count, created when missing (existing ones are left alone). */
  static Topics topics(Settings s, String bootstrap) {
    Topics topics = new Topics(s.text("TANDEM_TOPIC_PREFIX", "tandem"));
    int partitions = s.integer("TANDEM_PARTITIONS", 8, 1, 10_000);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "default.api.timeout.ms", 60_000))) {
      topics.ensure(admin, partitions);
    }
    return topics;
  }

  /**
   * What a service without clients has besides its part: the address of its HTTP port (read with
   * the topic settings, before anything starts), its meters and its probes.
   */
  private record Backend(String host, int port, Telemetry telemetry, Probes probes) {
    static Backend read(Settings s, int defaultPort) {
      String host = s.text("TANDEM_HOST", "127.0.0.1");
      int port = s.integer("TANDEM_PORT", defaultPort, 0, 65535);
      readTopicSettings(s);
      return new Backend(host, port, new Telemetry(), new Probes());
    }

    /** {@code part} deployed with its HTTP port: probes and metrics. */
    Service serve(String name, Deployable part) {
      OpsServer http = new OpsServer(host, port, probes, telemetry);
      Vertx vertx = deploy(telemetry, part, http);
      return Service.of(name, vertx, probes, telemetry, http::actualPort, spread -> Future.succeededFuture());
    }
  }

  static Service otService(Settings s, Runnable configured) {
    Backend b = Backend.read(s, OT_SERVICE_PORT);
    OtServiceConfig config = OtServiceConfig.from(s);
    configured.run();
    OtServiceVerticle ot = new OtServiceVerticle(config.withTopics(topics(s, config.bootstrapServers())))
        .withTelemetry(b.telemetry());
    b.probes().liveness("ot-service", ot::alive).readiness("ot-service serving", ot::progressing);
    return b.serve("ot-service " + config.instanceId(), ot);
  }

  static Service presence(Settings s, Runnable configured) {
    Backend b = Backend.read(s, PRESENCE_PORT);
    PresenceConfig config = PresenceConfig.from(s);
    configured.run();
    PresenceServiceVerticle presence = new PresenceServiceVerticle(config.with(config.bootstrapServers(),
        topics(s, config.bootstrapServers()), config.groupId(), config.instanceId(), config.ttl()))
        .withTelemetry(b.telemetry());
    b.probes().liveness("presence-service", presence::progressing);
    return b.serve("presence-service " + config.instanceId(), presence);
  }

  /**
   * What a service that serves clients has: the gateway's edge (its address, limits, access and
   * TLS, read before anything starts), its meters and its probes.
   */
  private record Edge(GatewayConfig config, AccessConfig access, java.util.Optional<TlsFiles> tls,
      TransportConfig transport, Telemetry telemetry, Probes probes) {
    static Edge read(Settings s, int defaultPort) {
      GatewayConfig config = GatewayConfig.from(withDefaultPort(s, defaultPort));
      Edge e = new Edge(config, AccessConfig.from(s, config.host()), TlsFiles.from(s), TransportConfig.from(s),
          new Telemetry(), new Probes());
      readTopicSettings(s);
      return e;
    }

    /** The edge's HTTP server for {@code instance}, on {@code topics}. */
    GatewayVerticle verticle(String instance, Topics topics) {
      return new GatewayVerticle(config.with(config.port(), config.bootstrapServers(), topics, instance))
          .withTransport(transport).withAccess(access, tls).withOps(probes, telemetry);
    }
  }

  static Service gateway(Settings s, Runnable configured) {
    Edge e = Edge.read(s, GATEWAY_PORT);
    configured.run();
    GatewayVerticle gw = e.verticle(e.config().instanceId(), topics(s, e.config().bootstrapServers()));
    Vertx vertx = deploy(e.telemetry(), gw);
    return Service.of("gateway " + e.config().instanceId(), vertx, e.probes(), e.telemetry(), gw::actualPort, gw::drain);
  }

  static Service signaling(Settings s, Runnable configured) {
    Edge e = Edge.read(s, SIGNALING_PORT);
    SignalingConfig config = SignalingConfig.from(s);
    configured.run();
    Topics topics = topics(s, config.bootstrapServers());
    SignalingVerticle signaling = new SignalingVerticle(config.with(config.bootstrapServers(), topics,
        config.instanceId())).withTelemetry(e.telemetry());
    e.probes().liveness("media-signaling", signaling::progressing);
    GatewayVerticle gw = e.verticle(config.instanceId(), topics).withoutDocs()
        .withWebSocket("/v1/signal", signaling::accept).withRoutes(signaling::mount);
    Vertx vertx = deploy(e.telemetry(), signaling, gw);
    return Service.of("media-signaling " + config.instanceId(), vertx, e.probes(), e.telemetry(), gw::actualPort,
        gw::drain);
  }

  /** {@code s} with {@code TANDEM_PORT} defaulting to this service's port. */
  private static Settings withDefaultPort(Settings s, int port) {
    return s.withDefault("TANDEM_PORT", String.valueOf(port));
  }

  /** A Vert.x reporting to {@code telemetry}, with {@code verticles} deployed in order; closed again on failure. */
  private static Vertx deploy(Telemetry telemetry, Deployable... verticles) {
    Vertx vertx = telemetry.vertx(new VertxOptions());
    try {
      for (Deployable v : verticles) {
        vertx.deployVerticle(v).await(90, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("could not start: " + e.getMessage(), e);
    }
    return vertx;
  }
}
