package dev.tandem.signal;

import dev.tandem.access.Principal;
import dev.tandem.access.SessionToken;
import dev.tandem.access.web.RequestPrincipal;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SignalRecord;
import dev.tandem.schemas.TelemetryRecord;
import dev.tandem.signal.sfu.SfuConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.tandem.ops.Telemetry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * media-signaling: the rooms of this instance on its own event loop, {@code tandem.signals} read
 * (every partition, from the end) on a thread of its own, heartbeats to the other instances.
 * The HTTP side mounts on a server: {@link #accept} takes {@code /v1/signal} WebSockets and
 * {@link #mount} adds {@code GET /v1/turn-credentials}.
 */
public final class SignalingVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SignalingVerticle.class);

  private final SignalingConfig config;
  private final TurnCredentials turn;
  private SignalingHub hub;
  private Context hubContext;
  private KafkaProducer<String, byte[]> producer;
  private volatile SignalFeed signalFeed;
  private Thread feed;
  private volatile boolean silent;
  private Telemetry telemetry = Telemetry.detached();
  private Telemetry.Binding producerMeters;
  private SfuConfig sfuConfig = SfuConfig.none();

  public SignalingVerticle(SignalingConfig config) {
    this.config = config;
    this.turn = new TurnCredentials(config.turnSecret(), config.turnTtl(), config.turnUrls(), config.stunUrls());
  }

  /** Reports signaling's rates and its Kafka producer's metrics to {@code t}. */
  /** Calls through Janus ({@link SfuConfig}); without this call every call is a mesh. */
  public SignalingVerticle withSfu(SfuConfig c) {
    this.sfuConfig = c;
    return this;
  }

  public SignalingVerticle withTelemetry(Telemetry t) {
    this.telemetry = t;
    return this;
  }

  /** Whether the feed of {@code tandem.signals} is positioned (it may be stalled: see {@link #progressing}). */
  public boolean ready() {
    return signalFeed != null && signalFeed.positioned();
  }

  /** Whether the feed is positioned and its polls keep ending within the instance TTL. */
  public boolean progressing() {
    return signalFeed != null && signalFeed.progressing();
  }

  /** Records from other instances skipped because they could not be processed. */
  public long skippedCount() {
    return signalFeed == null ? 0 : signalFeed.skippedCount();
  }

  public SignalingHub hub() {
    return hub;
  }

  public TurnCredentials turn() {
    return turn;
  }

  @Override
  public Future<?> start() {
    hubContext = vertx.getOrCreateContext();
    producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
        ProducerConfig.CLIENT_ID_CONFIG, config.instanceId() + "-signals",
        ProducerConfig.ACKS_CONFIG, "1",
        ProducerConfig.LINGER_MS_CONFIG, 0,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 0),
        new StringSerializer(), new ByteArraySerializer());
    MeterRegistry r = telemetry.registry();
    hub = new SignalingHub(vertx, config, turn, this::publish, new CallStats(config.instanceId(), r, this::report),
        sfuConfig);
    producerMeters = telemetry.bind(producer);
    FunctionCounter.builder("tandem.signal.relayed", hub, SignalingHub::relayedCount)
        .description("signals relayed between peers").register(r);
    FunctionCounter.builder("tandem.signal.refused", hub, SignalingHub::refusedCount)
        .description("client messages refused with an error").register(r);
    FunctionCounter.builder("tandem.signal.joins", hub, SignalingHub::joinCount).register(r);
    Gauge.builder("tandem.signal.rooms", hub, SignalingHub::roomCount).register(r);
    FunctionCounter.builder("tandem.signal.records.skipped", this, SignalingVerticle::skippedCount)
        .description("records from other instances that could not be processed").register(r);
    signalFeed = new SignalFeed(config, telemetry, batch -> hubContext.runOnContext(v -> batch.forEach(this::onRecord)));
    return vertx.executeBlocking(() -> {
      // max.block.ms is 0 (sends never block the event loop): fetch the metadata of both topics
      // here, once; a send to a topic without it fails at once.
      long deadline = System.currentTimeMillis() + 60_000;
      while (true) {
        try {
          producer.partitionsFor(config.topics().signals());
          producer.partitionsFor(config.topics().telemetry());
          break;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          if (System.currentTimeMillis() > deadline) {
            throw e;
          }
          Thread.sleep(50);
        }
      }
      signalFeed.position();
      feed = new Thread(signalFeed, "signals-feed-" + config.instanceId());
      feed.start();
      return null;
    }).compose(v -> hub.sfu().start().recover(e -> {
      LOG.warn("calls stay in mesh until a Janus answers: {}", e.getMessage());
      return Future.succeededFuture();
    })).onSuccess(v -> {
      long beat = Math.max(50, config.instanceTtl().toMillis() / 3);
      publish(SignalRecord.heartbeat(config.instanceId()));
      vertx.setPeriodic(beat, id -> {
        publish(SignalRecord.heartbeat(config.instanceId()));
        hub.sweep();
      });
    });
  }

  /** One record from another instance, on the hub's loop: a record the hub cannot take is logged and skipped. */
  private void onRecord(SignalRecord record) {
    try {
      hub.onRecord(record);
    } catch (RuntimeException e) {
      signalFeed.skippedByHub();
      LOG.warn("skipping a {} record from instance {} for room {}: {}", record.kind(), record.instance(), record.room(),
          e.toString());
    }
  }

  private void publish(SignalRecord record) {
    if (silent) {
      return;
    }
    String key = record.room() == null ? "__heartbeat" : record.room();
    byte[] bytes;
    try {
      bytes = Records.encode(record);
    } catch (IllegalStateException e) {
      LOG.warn("signal {} for room {} not published: it cannot be encoded ({})", record.kind(), record.room(),
          e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
      return;
    }
    try {
      producer.send(new ProducerRecord<>(config.topics().signals(), key, bytes), (m, e) -> {
        if (e != null) {
          LOG.warn("signal {} for room {} not published: {}", record.kind(), record.room(), e.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("signal {} not published: {}", record.kind(), e.toString());
    }
  }

  /** A call-quality report to {@code tandem.telemetry}, keyed by its room. */
  private void report(TelemetryRecord record) {
    if (silent) {
      return;
    }
    try {
      producer.send(new ProducerRecord<>(config.topics().telemetry(), record.room(), Records.encode(record)), (m, e) -> {
        if (e != null) {
          LOG.warn("stats report for room {} not written: {}", record.room(), e.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("stats report for room {} not written: {}", record.room(), e.toString());
    }
  }

  /**
   * Takes a {@code /v1/signal} WebSocket admitted with {@code token}; call from the socket's event
   * loop. The token's clock runs on the hub's loop: {@code {"type":"auth","expiring":S}} before it
   * expires, the close with 4401 at its {@code exp} unless {@code {"type":"auth","token":T}} came.
   * Returns what to do when the socket has closed (the gateway owns its close handler).
   */
  public Runnable accept(ServerWebSocket socket, SessionToken token) {
    PeerSession s = new PeerSession(socket, token, hub, hubContext, config.maxMessageBytes(), config.messagesPerSecond());
    hubContext.runOnContext(v -> hub.started(s));
    return s::socketClosed;
  }

  /**
   * Adds {@code GET /v1/turn-credentials}, behind the gateway's door (which admitted the request
   * and names its principal): only for a token that grants a room, as {@code expiry:sub}, for no
   * longer than the token lives (a free relay for anyone would be the alternative).
   */
  public void mount(Router router) {
    router.get("/v1/turn-credentials").handler(ctx -> {
      Principal p = RequestPrincipal.of(ctx).orElseThrow();
      if (!p.grants().anyRoom()) {
        ctx.response().setStatusCode(403).putHeader("content-type", "application/json").end(new JsonObject()
            .put("error", new JsonObject().put("code", SignalingHub.FORBIDDEN)
                .put("message", "TURN credentials are for tokens that grant a room")).encode());
        return;
      }
      long now = System.currentTimeMillis();
      ctx.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
          .end(turn.response(p.user(), now, p.secondsLeft(now)).toString());
    });
  }

  /** Stops as a crash would: nothing more reaches Kafka, peers elsewhere learn from missing heartbeats. */
  public void crash() {
    silent = true;
  }

  @Override
  public Future<?> stop() {
    hub.sfu().close();
    return vertx.executeBlocking(() -> {
      signalFeed.stop(Duration.ofSeconds(5));
      if (feed != null) {
        feed.join(1_000);
      }
      producerMeters.close();
      producer.close(Duration.ofSeconds(2));
      return null;
    });
  }
}
