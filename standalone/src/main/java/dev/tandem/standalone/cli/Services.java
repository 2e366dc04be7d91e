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
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * Each service started alone, from its settings: it needs only a Kafka bootstrap address. Every
 * one serves {@code /health/live}, {@code /health/ready}, {@code /health} and {@code /metrics}
 * on its port; gateway and signaling serve their clients there too.
 */
final class Services {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Services.class);

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
    return s.namesRead();
  }

  /** What every service reads besides its own configuration: the topics' partition count and the drain time. */
  private record Startup(int partitions, Duration drain) {
    static Startup read(Settings s) {
      return new Startup(s.integer("TANDEM_PARTITIONS", 8, 1, 10_000), s.millis("TANDEM_DRAIN_MS", 5000, 0));
    }

    /** Creates the topics that are missing, with this partition count (existing ones are left alone). */
    void ensureTopics(Topics topics, String bootstrap) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "default.api.timeout.ms", 60_000))) {
        topics.ensure(admin, partitions);
      }
    }
  }

  /** A service without clients: the address of its HTTP port (probes and metrics), read before anything starts. */
  private record Backend(String host, int port, Startup startup) {
    static Backend read(Settings s, int defaultPort) {
      return new Backend(s.text("TANDEM_HOST", "127.0.0.1"), s.integer("TANDEM_PORT", defaultPort, 0, 65535),
          Startup.read(s));
    }

    /** The part {@code build} makes with fresh meters and probes, deployed with its HTTP port. */
    Service serve(String name, BiFunction<Telemetry, Probes, Deployable> build) {
      Telemetry telemetry = new Telemetry();
      Probes probes = new Probes();
      OpsServer http = new OpsServer(host, port, probes, telemetry);
      Vertx vertx = deploy(telemetry, build.apply(telemetry, probes), http);
      LOG.info("{} is up: http://{}:{}/ (probes /health/live, /health/ready; metrics /metrics)", name, host,
          http.actualPort());
      return Service.of(name, vertx, probes, telemetry, http::actualPort, spread -> Future.succeededFuture(),
          startup.drain());
    }
  }

  static Service otService(Settings s, Runnable configured) {
    Backend b = Backend.read(s, OT_SERVICE_PORT);
    OtServiceConfig config = OtServiceConfig.from(s);
    configured.run();
    b.startup().ensureTopics(config.topics(), config.bootstrapServers());
    return b.serve("ot-service " + config.instanceId(), (telemetry, probes) -> {
      OtServiceVerticle ot = new OtServiceVerticle(config).withTelemetry(telemetry);
      probes.liveness("ot-service", ot::alive).readiness("ot-service serving", ot::progressing);
      return ot;
    });
  }

  static Service presence(Settings s, Runnable configured) {
    Backend b = Backend.read(s, PRESENCE_PORT);
    PresenceConfig config = PresenceConfig.from(s);
    configured.run();
    b.startup().ensureTopics(config.topics(), config.bootstrapServers());
    return b.serve("presence-service " + config.instanceId(), (telemetry, probes) -> {
      PresenceServiceVerticle presence = new PresenceServiceVerticle(config).withTelemetry(telemetry);
      probes.liveness("presence-service", presence::progressing);
      return presence;
    });
  }

  /**
   * A service that serves clients: the gateway's edge (its address, limits, access and TLS), read
   * before anything starts.
   */
  private record Edge(GatewayConfig config, AccessConfig access, Optional<TlsFiles> tls, TransportConfig transport,
      Startup startup) {
    static Edge read(Settings s, int defaultPort) {
      GatewayConfig config = GatewayConfig.from(withDefaultPort(s, defaultPort));
      return new Edge(config, AccessConfig.from(s, config.host()), TlsFiles.from(s), TransportConfig.from(s),
          Startup.read(s));
    }

    /** The edge's HTTP server for {@code instance}, serving {@code probes} and {@code telemetry}. */
    GatewayVerticle verticle(String instance, Telemetry telemetry, Probes probes) {
      return new GatewayVerticle(config.with(config.port(), config.bootstrapServers(), config.topics(), instance))
          .withTransport(transport).withAccess(access, tls).withOps(probes, telemetry);
    }

    /** {@code before}, then the edge {@code gw}, deployed on a Vert.x reporting to {@code telemetry}. */
    Service serve(String name, Telemetry telemetry, Probes probes, GatewayVerticle gw, Deployable... before) {
      Deployable[] all = java.util.Arrays.copyOf(before, before.length + 1);
      all[before.length] = gw;
      Vertx vertx = deploy(telemetry, all);
      LOG.info("{} is up: http://{}:{}/ (probes /health/live, /health/ready; metrics /metrics)", name, config.host(),
          gw.actualPort());
      return Service.of(name, vertx, probes, telemetry, gw::actualPort, gw::drain, startup.drain());
    }
  }

  static Service gateway(Settings s, Runnable configured) {
    Edge e = Edge.read(s, GATEWAY_PORT);
    configured.run();
    e.startup().ensureTopics(e.config().topics(), e.config().bootstrapServers());
    Telemetry telemetry = new Telemetry();
    Probes probes = new Probes();
    return e.serve("gateway " + e.config().instanceId(), telemetry, probes,
        e.verticle(e.config().instanceId(), telemetry, probes));
  }

  static Service signaling(Settings s, Runnable configured) {
    Edge e = Edge.read(s, SIGNALING_PORT);
    SignalingConfig config = SignalingConfig.from(s);
    dev.tandem.signal.sfu.SfuConfig sfu = dev.tandem.signal.sfu.SfuConfig.from(s);
    configured.run();
    e.startup().ensureTopics(config.topics(), config.bootstrapServers());
    Telemetry telemetry = new Telemetry();
    Probes probes = new Probes();
    SignalingVerticle signaling = new SignalingVerticle(config).withTelemetry(telemetry).withSfu(sfu);
    probes.liveness("media-signaling", signaling::progressing);
    GatewayVerticle gw = e.verticle(config.instanceId(), telemetry, probes).withoutDocs()
        .withWebSocket("/v1/signal", signaling::accept).withRoutes(signaling::mount);
    return e.serve("media-signaling " + config.instanceId(), telemetry, probes, gw, signaling);
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
