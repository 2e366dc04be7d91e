package dev.tandem.standalone;

import dev.tandem.gateway.GatewayConfig;
import dev.tandem.gateway.GatewayVerticle;
import dev.tandem.kafka.local.SharedKafka;
import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.OtServiceVerticle;
import dev.tandem.presence.PresenceConfig;
import dev.tandem.presence.PresenceServiceVerticle;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Topics;
import dev.tandem.signal.SignalingConfig;
import dev.tandem.signal.SignalingVerticle;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Gateways and ot-service instances on the test JVM's shared Kafka broker, each in a Vert.x
 * instance of its own as if they were separate processes, with topics of their own.
 */
final class TestCluster implements AutoCloseable {

  final Topics topics = new Topics("t" + UUID.randomUUID().toString().substring(0, 8));
  final String bootstrap = SharedKafka.bootstrapServers();
  final int partitions;
  private final String group = "ot-" + topics.prefix();
  private final List<Vertx> gatewayVertx = new ArrayList<>();
  private final List<GatewayVerticle> gateways = new ArrayList<>();
  private final List<Vertx> otVertx = new ArrayList<>();
  final List<OtServiceVerticle> otServices = new ArrayList<>();
  private final List<Vertx> presenceVertx = new ArrayList<>();
  final List<PresenceServiceVerticle> presenceServices = new ArrayList<>();
  final List<SignalingVerticle> signaling = new ArrayList<>();

  TestCluster(int partitions) {
    this.partitions = partitions;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      topics.ensure(admin, partitions);
    }
  }

  static TestCluster start(int gateways, int otServices, int partitions) {
    TestCluster c = new TestCluster(partitions);
    for (int i = 0; i < otServices; i++) {
      c.addOtService();
    }
    for (int i = 0; i < gateways; i++) {
      c.addGateway(GatewayConfig.fromEnv(Map.of()));
    }
    return c;
  }

  /** One gateway and one ot-service configured by {@code otEnv} (as its environment would). */
  static TestCluster withOtService(int partitions, Map<String, String> otEnv) {
    TestCluster c = new TestCluster(partitions);
    c.addOtService(otEnv);
    c.addGateway(GatewayConfig.fromEnv(Map.of()));
    return c;
  }

  OtServiceVerticle addOtService() {
    return addOtService(Map.of());
  }

  OtServiceVerticle addOtService(Map<String, String> env) {
    OtServiceConfig config = OtServiceConfig.fromEnv(env).withKafka(bootstrap).withTopics(topics).withGroup(group)
        .withInstance("ot-" + UUID.randomUUID()).withFlushInterval(Duration.ofSeconds(1));
    Vertx vertx = Vertx.vertx();
    OtServiceVerticle ot = new OtServiceVerticle(config);
    await(vertx.deployVerticle(ot));
    otVertx.add(vertx);
    otServices.add(ot);
    return ot;
  }

  PresenceServiceVerticle addPresenceService(Duration ttl) {
    PresenceConfig config = PresenceConfig.fromEnv(Map.of()).with(bootstrap, topics, "presence-" + topics.prefix(),
        "presence-" + UUID.randomUUID(), ttl);
    Vertx vertx = Vertx.vertx();
    PresenceServiceVerticle p = new PresenceServiceVerticle(config);
    await(vertx.deployVerticle(p));
    presenceVertx.add(vertx);
    presenceServices.add(p);
    long deadline = System.currentTimeMillis() + 60_000;
    while (!p.loop().ready() && System.currentTimeMillis() < deadline) {
      sleep(20);
    }
    return p;
  }

  /** Stops gateway {@code i} the way a crash would: its clients drop, nothing more reaches Kafka. */
  void crashGateway(int i) {
    gateways.get(i).crash();
    if (signaling.get(i) != null) {
      signaling.get(i).crash();
    }
    gatewayVertx.get(i).close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One installation's gateways share the key that signs client ids, so a client may reconnect to any of them. */
  private final String srcKey = "test-cluster-" + UUID.randomUUID();

  GatewayVerticle addGateway(GatewayConfig base) {
    return addGateway(base, null);
  }

  /** A gateway that also serves signaling ({@code /v1/signal}, {@code /v1/turn-credentials}) when {@code signal} is given. */
  GatewayVerticle addGateway(GatewayConfig base, SignalingConfig signal) {
    return addGateway(base, signal, null);
  }

  /** The same, admitting by {@code access} (null: the default, dev on loopback). */
  GatewayVerticle addGateway(GatewayConfig base, SignalingConfig signal, dev.tandem.access.AccessConfig access) {
    return addGateway(base, signal, access, dev.tandem.signal.sfu.SfuConfig.none());
  }

  /** The same, with calls through Janus as {@code sfu} says. */
  GatewayVerticle addGateway(GatewayConfig base, SignalingConfig signal, dev.tandem.access.AccessConfig access,
      dev.tandem.signal.sfu.SfuConfig sfu) {
    Vertx vertx = Vertx.vertx();
    GatewayVerticle gw = new GatewayVerticle(base.with(0, bootstrap, topics, "gw-" + UUID.randomUUID()).withSrcKey(srcKey));
    if (access != null) {
      gw.withAccess(access, java.util.Optional.empty());
    }
    SignalingVerticle sig = null;
    if (signal != null) {
      // One registry for both, as one process has: the gateway's /metrics shows signaling's meters.
      dev.tandem.ops.Telemetry telemetry = dev.tandem.ops.Telemetry.detached();
      gw.withOps(new dev.tandem.ops.Probes(), telemetry);
      sig = new SignalingVerticle(signal.with(bootstrap, topics, "sig-" + UUID.randomUUID())).withTelemetry(telemetry)
          .withSfu(sfu);
      await(vertx.deployVerticle(sig));
      gw.withWebSocket("/v1/signal", sig::accept).withRoutes(sig::mount);
    }
    signaling.add(sig);
    await(vertx.deployVerticle(gw));
    gatewayVertx.add(vertx);
    gateways.add(gw);
    return gw;
  }

  /** The ShareDB endpoint of gateway {@code i}. */
  String url(int i) {
    return "ws://127.0.0.1:" + gateways.get(i).actualPort() + "/v1/docs";
  }

  /** The signaling endpoint of gateway {@code i}. */
  String signalUrl(int i) {
    return "ws://127.0.0.1:" + gateways.get(i).actualPort() + "/v1/signal";
  }

  int port(int i) {
    return gateways.get(i).actualPort();
  }

  /** Stops ot-service {@code i} the way a crash would: no final snapshots. */
  void crashOtService(int i) {
    otServices.get(i).crash();
    otVertx.get(i).close();
  }

  /** Every record of the event log, per document key, in log order. */
  Map<String, List<CommittedOp>> eventLog() {
    Map<String, List<CommittedOp>> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topics.committed(), p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.currentTimeMillis() + 30_000;
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Records.decode(r.value(), CommittedOp.class));
        }
      }
    }
    return out;
  }

  private static void await(io.vertx.core.Future<?> f) {
    try {
      f.await(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Vertx v : gatewayVertx) {
      close(v);
    }
    for (Vertx v : otVertx) {
      close(v);
    }
    for (Vertx v : presenceVertx) {
      close(v);
    }
  }

  private static void close(Vertx v) {
    try {
      v.close().await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Already closed (a crashed instance) or slow: the JVM ends soon anyway.
    }
  }
}
