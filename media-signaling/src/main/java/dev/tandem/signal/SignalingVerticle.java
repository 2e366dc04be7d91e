package dev.tandem.signal;

import dev.tandem.access.Principal;
import dev.tandem.access.SessionToken;
import dev.tandem.access.web.RequestPrincipal;
import dev.tandem.schemas.Records;
import io.vertx.core.json.JsonObject;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.SignalRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
  private KafkaConsumer<String, byte[]> consumer;
  private Thread feed;
  private volatile boolean running = true;
  private volatile boolean positioned;
  private volatile boolean silent;

  public SignalingVerticle(SignalingConfig config) {
    this.config = config;
    this.turn = new TurnCredentials(config.turnSecret(), config.turnTtl(), config.turnUrls(), config.stunUrls());
  }

  public boolean ready() {
    return positioned && running;
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
    hub = new SignalingHub(vertx, config, turn, this::publish);
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
        ConsumerConfig.CLIENT_ID_CONFIG, config.instanceId() + "-signals-feed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        // Answered as soon as a signal arrives; the wait only sets how often an idle feed asks.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200),
        new StringDeserializer(), new ByteArrayDeserializer());
    return vertx.executeBlocking(() -> {
      List<TopicPartition> all = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(config.topics().signals(), Duration.ofSeconds(30))) {
        all.add(new TopicPartition(p.topic(), p.partition()));
      }
      // max.block.ms is 0 (sends never block the event loop): fetch the metadata here, once.
      long deadline = System.currentTimeMillis() + 60_000;
      while (true) {
        try {
          producer.partitionsFor(config.topics().signals());
          break;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          if (System.currentTimeMillis() > deadline) {
            throw e;
          }
          Thread.sleep(50);
        }
      }
      consumer.assign(all);
      consumer.seekToEnd(all);
      all.forEach(consumer::position);
      feed = new Thread(this::read, "signals-feed-" + config.instanceId());
      feed.start();
      positioned = true;
      return null;
    }).onSuccess(v -> {
      long beat = Math.max(50, config.instanceTtl().toMillis() / 3);
      publish(SignalRecord.heartbeat(config.instanceId()));
      vertx.setPeriodic(beat, id -> {
        publish(SignalRecord.heartbeat(config.instanceId()));
        hub.sweep();
      });
    });
  }

  private void read() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(100));
        } catch (WakeupException e) {
          continue;
        }
        if (records.isEmpty()) {
          continue;
        }
        List<SignalRecord> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
          try {
            batch.add(Records.decode(r.value(), SignalRecord.class));
          } catch (MalformedRecordException | IllegalArgumentException e) {
            LOG.warn("skipping malformed signal record {}@{}: {}", r.partition(), r.offset(), e.getMessage());
          }
        }
        hubContext.runOnContext(v -> batch.forEach(hub::onRecord));
      }
    } catch (RuntimeException e) {
      LOG.error("signals feed stopped", e);
    } finally {
      running = false;
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void publish(SignalRecord record) {
    if (silent) {
      return;
    }
    String key = record.room() == null ? "__heartbeat" : record.room();
    try {
      producer.send(new ProducerRecord<>(config.topics().signals(), key, Records.encode(record)), (m, e) -> {
        if (e != null) {
          LOG.warn("signal {} for room {} not published: {}", record.kind(), record.room(), e.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("signal {} not published: {}", record.kind(), e.toString());
    }
  }

  /**
   * Takes a {@code /v1/signal} WebSocket admitted with {@code token}; call from the socket's event
   * loop. The token's clock runs on the hub's loop: {@code {"type":"auth","expiring":S}} before it
   * expires, the close with 4401 at its {@code exp} unless {@code {"type":"auth","token":T}} came.
   */
  public void accept(ServerWebSocket socket, SessionToken token) {
    PeerSession s = new PeerSession(socket, token, hub, hubContext, config.maxMessageBytes(), config.messagesPerSecond());
    hubContext.runOnContext(v -> hub.started(s));
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
    running = false;
    consumer.wakeup();
    return vertx.executeBlocking(() -> {
      feed.join(5_000);
      producer.close(Duration.ofSeconds(2));
      return null;
    });
  }
}
