package dev.tandem.standalone;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.access.AccessConfig;
import dev.tandem.access.AuthMode;
import dev.tandem.gateway.GatewayVerticle;
import dev.tandem.gateway.TransportConfig;
import dev.tandem.kafka.local.LocalKafka;
import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.OtServiceVerticle;
import dev.tandem.presence.PresenceConfig;
import dev.tandem.presence.PresenceServiceVerticle;
import dev.tandem.schemas.Topics;
import dev.tandem.signal.SignalingConfig;
import dev.tandem.signal.SignalingVerticle;
import dev.tandem.ops.Probes;
import dev.tandem.ops.Settings;
import dev.tandem.ops.Telemetry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tandem in one JVM: an embedded single-node Kafka (unless {@code --kafka} names a cluster),
 * the topics, ot-service and the gateway with the demo client.
 */
public final class Standalone implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Standalone.class);

  private final Vertx vertx;
  private final Optional<LocalKafka> kafka;
  private final GatewayVerticle gateway;
  private final OtServiceVerticle otService;
  private final String bootstrap;
  /** The meters this server made for itself (the two-argument start), closed with it. */
  private Telemetry owned;

  private Standalone(Vertx vertx, Optional<LocalKafka> kafka, GatewayVerticle gateway, OtServiceVerticle otService,
      String bootstrap) {
    this.vertx = vertx;
    this.kafka = kafka;
    this.gateway = gateway;
    this.otService = otService;
    this.bootstrap = bootstrap;
  }

  /** {@code java -jar tandem.jar [standalone] ...}: the command line is {@link dev.tandem.standalone.cli.TandemCli}'s. */
  public static void main(String[] args) {
    dev.tandem.standalone.cli.TandemCli.main(args);
  }

  /** Starts everything and returns once the server accepts connections. */
  public static Standalone start(StandaloneConfig config, Map<String, String> env) {
    Telemetry telemetry = new Telemetry();
    try {
      Standalone s = start(config, env, telemetry, new Probes());
      s.owned = telemetry;
      return s;
    } catch (RuntimeException e) {
      telemetry.close();
      throw e;
    }
  }

  /**
   * Starts everything, its meters in {@code telemetry} and its checks in {@code probes}, and
   * returns once the server accepts connections. The config's options stand in for their
   * variables in {@code env}, so every part reads the same host, port and Kafka.
   */
  public static Standalone start(StandaloneConfig config, Map<String, String> env, Telemetry telemetry, Probes probes) {
    Map<String, String> merged = new java.util.HashMap<>(env);
    merged.put("TANDEM_HOST", config.host());
    Settings settings = new Settings(merged);
    // Access first: a server that may not start (dev mode off loopback, jwt without a key) starts nothing.
    AccessConfig access = AccessConfig.from(settings, config.host());
    config.tls().ifPresent(t -> t.apply(new io.vertx.core.http.HttpServerOptions()));
    Optional<LocalKafka> kafka = config.kafka().isPresent()
        ? Optional.empty()
        : Optional.of(LocalKafka.start(config.dataDir().toAbsolutePath().resolve("kafka"), 0, config.kafkaPort()));
    String bootstrap = config.kafka().orElseGet(() -> kafka.orElseThrow().bootstrapServers());
    Topics topics = new Topics(settings.text("TANDEM_TOPIC_PREFIX", "tandem"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      topics.ensure(admin, config.partitions());
    }
    String instance = instanceId(config.dataDir());
    // ot-service's local snapshot stores live beside the broker's data: a restart finds them.
    OtServiceVerticle ot = new OtServiceVerticle(OtServiceConfig.from(settings).withKafka(bootstrap).withTopics(topics)
        .withInstance("ot-" + instance).withStateDir(config.dataDir().toAbsolutePath().resolve("ot-state")))
        .withTelemetry(telemetry);
    PresenceConfig presenceConfig = PresenceConfig.from(settings);
    PresenceServiceVerticle presence = new PresenceServiceVerticle(presenceConfig.with(bootstrap, topics,
        presenceConfig.groupId(), "presence-" + instance, presenceConfig.ttl())).withTelemetry(telemetry);
    SignalingVerticle signaling = new SignalingVerticle(SignalingConfig.from(settings).with(bootstrap, topics,
        "sig-" + instance + "-" + UUID.randomUUID())).withTelemetry(telemetry)
        .withSfu(dev.tandem.signal.sfu.SfuConfig.from(settings));
    GatewayConfig gatewayConfig = GatewayConfig.from(settings)
        .with(config.port(), bootstrap, topics, "gw-" + instance + "-" + UUID.randomUUID());
    if (settings.optional("TANDEM_SRC_KEY").isEmpty()) {
      // Client ids must outlive a restart, or every reconnecting client's unacknowledged ops are refused.
      gatewayConfig = gatewayConfig.withSrcKey(keyFile(config.dataDir(), "src-key"));
    }
    if (settings.optional("TANDEM_DEV_SECRET").isEmpty()) {
      // Dev tokens the web client holds must outlive a restart, as its client ids do.
      access = access.withDevSecret(keyFile(config.dataDir(), "dev-token-key"));
    }
    if (access.mode() == AuthMode.DEV) {
      LOG.info("access: dev mode (requests without a token act as an anonymous user with every grant);"
          + " set TANDEM_AUTH=jwt and TANDEM_JWT_SECRET or TANDEM_JWT_KEYS for tokens only");
    }
    // Each part is live only while its loop makes progress, so a wedged loop turns the probes 503;
    // ot-service is ready only once every partition it owns is rebuilt and it polls for ops.
    probes.liveness("media-signaling", signaling::progressing)
        .liveness("ot-service", ot::alive)
        .readiness("ot-service serving", ot::progressing)
        .liveness("presence-service", presence::progressing);
    GatewayVerticle gw = new GatewayVerticle(gatewayConfig)
        .withTransport(TransportConfig.from(settings))
        .withAccess(access, config.tls())
        .withOps(probes, telemetry)
        .withWebSocket("/v1/signal", signaling::accept)
        .withRoutes(signaling::mount);
    Vertx vertx = telemetry.vertx(new io.vertx.core.VertxOptions());
    try {
      vertx.deployVerticle(ot).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(presence).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(signaling).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(gw).await(90, TimeUnit.SECONDS);
      // Ready means documents can be served: ot-service has joined its group, rebuilt every
      // partition it owns and polls for ops. A rebuild that makes progress is waited for however
      // long it takes (a first start on a large topic restores every snapshot once); a loop that
      // stops making progress for 120 s is a failed start.
      long lastProgress = System.currentTimeMillis();
      while (!ot.ready()) {
        long now = System.currentTimeMillis();
        if (ot.alive()) {
          lastProgress = now;
        } else if (now - lastProgress > 120_000) {
          throw new IllegalStateException("ot-service did not become ready: " + ot.loop().health());
        }
        Thread.sleep(20);
      }
    } catch (Exception e) {
      vertx.close();
      kafka.ifPresent(LocalKafka::close);
      throw new IllegalStateException("Tandem did not start: " + e.getMessage(), e);
    }
    return new Standalone(vertx, kafka, gw, ot, bootstrap);
  }

  /** A stable id per data directory: a restart fences the previous incarnation's transactions. */
  private static String instanceId(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Path f = dataDir.resolve("instance-id");
      if (!Files.exists(f)) {
        Files.writeString(f, UUID.randomUUID().toString());
      }
      return Files.readString(f).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use data directory " + dataDir, e);
    }
  }

  /** A random key kept in the data directory ({@code name}), so what it signs survives a restart. */
  private static String keyFile(Path dataDir, String name) {
    try {
      Path f = dataDir.resolve(name);
      if (!Files.exists(f)) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path tmp = dataDir.resolve(name + ".tmp");
        Files.writeString(tmp, Base64.getUrlEncoder().withoutPadding().encodeToString(key));
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
      }
      return Files.readString(f).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the key " + name + " in " + dataDir, e);
    }
  }

  public int port() {
    return gateway.actualPort();
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  public OtServiceVerticle otService() {
    return otService;
  }

  public GatewayVerticle gateway() {
    return gateway;
  }

  /** Stops the server, ot-service (writing snapshots), then Kafka. */
  @Override
  public void close() {
    try {
      vertx.close().await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("stopping the verticles", e);
    }
    kafka.ifPresent(LocalKafka::close);
    if (owned != null) {
      owned.close();
    }
  }
}
