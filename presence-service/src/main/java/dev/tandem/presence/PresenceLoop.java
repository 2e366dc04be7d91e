package dev.tandem.presence;

import dev.tandem.schemas.ClientLoop;
import dev.tandem.schemas.PresenceRecord;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.tandem.ops.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * presence-service's loop, on a thread of its own: a consumer group member on
 * {@code tandem.presence}. It feeds every record to {@link PresenceState}, which answers a
 * gateway's {@code sync} with the channel's {@code state} and expires the presences of a gateway
 * whose heartbeats stop for the TTL. Presence is soft state: a partition it takes over starts
 * empty at the end of the log and asks the gateways to publish their clients' presence again
 * ({@code resync}).
 *
 * <p>A record that cannot be processed is logged in one line and skipped; failures of the clients
 * are {@link ClientLoop}'s to sort (retried in place, or both clients closed and opened again
 * after a bounded backoff). The thread ends only when stopped; {@link #progressing()} tells
 * whether it is still getting through its polls.
 */
public final class PresenceLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceLoop.class);

  private final PresenceConfig config;
  private final PresenceState state = new PresenceState();
  private final AtomicLong skipped = new AtomicLong();
  private final ClientLoop loop;
  private volatile boolean ready;
  private volatile long lastProgress = System.currentTimeMillis();
  private volatile long expired;
  private volatile long syncs;
  private volatile int entries;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;
  private final Telemetry telemetry;
  private final List<Telemetry.Binding> clientMeters = new java.util.ArrayList<>();

  public PresenceLoop(PresenceConfig config) {
    this(config, Telemetry.detached());
  }

  /** A loop whose Kafka clients report their metrics to {@code telemetry}. */
  public PresenceLoop(PresenceConfig config, Telemetry telemetry) {
    this.config = config;
    this.telemetry = telemetry;
    this.loop = new ClientLoop("presence-service " + config.instanceId(), Clients::new);
  }

  /** Whether the loop is in its consumer group and polling. */
  public boolean ready() {
    return ready && loop.running();
  }

  /**
   * Ready, and a poll ended within the TTL: a loop stalled that long (or restarting its clients)
   * would expire live gateways' presence when it comes back, so it is not healthy.
   */
  public boolean progressing() {
    return ready() && System.currentTimeMillis() - lastProgress <= config.ttl().toMillis();
  }

  public long expiredCount() {
    return expired;
  }

  public long syncCount() {
    return syncs;
  }

  /** Records skipped because they could not be processed. */
  public long skippedCount() {
    return skipped.get();
  }

  /** Times the Kafka clients were closed and opened again after a failure. */
  public long restartCount() {
    return loop.restartCount();
  }

  /** Presences held, as of the last expiry pass. */
  public int entryCount() {
    return entries;
  }

  @Override
  public void run() {
    loop.run();
  }

  /** One consumer and producer, and the expiry sweeps between their polls. */
  private final class Clients implements ClientLoop.Clients {
    private final long sweepEvery = Math.max(20, config.ttl().toMillis() / 10);
    private long lastSweep = System.currentTimeMillis();

    Clients() {
      try {
        open();
      } catch (RuntimeException e) {
        closeClients();
        throw e;
      }
    }

    @Override
    public void pollOnce() {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(Math.min(100, sweepEvery)));
      ready = true;
      long now = System.currentTimeMillis();
      for (ConsumerRecord<String, byte[]> r : records) {
        handle(r, now);
      }
      if (now - lastSweep >= sweepEvery) {
        lastSweep = now;
        publish(state.sweep(now, config.ttl().toMillis()));
        expired = state.expiredCount();
        entries = state.entryCount();
      }
      lastProgress = now;
    }

    @Override
    public void wakeup() {
      KafkaConsumer<String, byte[]> c = consumer;
      if (c != null) {
        c.wakeup();
      }
    }

    @Override
    public void close() {
      ready = false;
      closeClients();
    }
  }

  /** One record: processed, or logged in one line and skipped. Only Kafka client failures escape. */
  private void handle(ConsumerRecord<String, byte[]> r, long now) {
    try {
      PresenceRecord record = Records.decode(r.value(), PresenceRecord.class);
      publish(state.handle(r.partition(), record, now));
      syncs = state.syncCount();
    } catch (MalformedRecordException | IllegalArgumentException | PresenceState.Unprocessable e) {
      skip(r, e.getMessage());
    } catch (KafkaException e) {
      throw e;
    } catch (RuntimeException e) {
      skip(r, e.toString());
    }
  }

  private void skip(ConsumerRecord<String, byte[]> r, String why) {
    skipped.incrementAndGet();
    LOG.warn("presence-service skips record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), why);
  }

  public void stop(Duration timeout) throws InterruptedException {
    loop.stop(timeout);
  }

  private void open() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.instanceId() + "-out");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // A send never blocks the loop for long when the broker is away: the loop must keep polling.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.instanceId());
    // Presence is soft state rebuilt by resync: no offsets to keep, always from the end.
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Answered as soon as presence arrives; the wait only sets how often an idle consumer asks.
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(config.topics().presence()), new Rebalance());
    clientMeters.add(telemetry.bind(producer));
    clientMeters.add(telemetry.bind(consumer));
  }

  private void closeClients() {
    state.clear();
    clientMeters.forEach(Telemetry.Binding::close);
    clientMeters.clear();
    KafkaConsumer<String, byte[]> c = consumer;
    consumer = null;
    if (c != null) {
      try {
        c.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("presence-service {}: closing the consumer: {}", config.instanceId(), e.toString());
      }
    }
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("presence-service {}: closing the producer: {}", config.instanceId(), e.toString());
      }
      producer = null;
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> state.revoke(tp.partition()));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      consumer.seekToEnd(partitions);
      for (TopicPartition tp : partitions) {
        consumer.position(tp);
        state.assign(tp.partition());
        send(new PresenceState.Out(tp.partition(), null, PresenceRecord.resync(config.instanceId(), tp.partition())));
      }
      LOG.info("presence-service {} owns partitions {}", config.instanceId(), partitions);
    }
  }

  private void publish(List<PresenceState.Out> out) {
    out.forEach(this::send);
  }

  /**
   * Publishes one record. One that cannot be encoded is logged and dropped; a producer that
   * refuses to send throws, and the loop restarts its clients.
   */
  private void send(PresenceState.Out out) {
    byte[] bytes;
    try {
      bytes = Records.encode(out.record());
    } catch (IllegalStateException e) {
      LOG.warn("presence-service drops a {} for {}: it cannot be encoded ({})", out.record().kind(), out.key(),
          e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
      return;
    }
    producer.send(new ProducerRecord<>(config.topics().presence(), out.partition(), out.key(), bytes), (m, e) -> {
      if (e != null) {
        LOG.warn("presence-service could not publish {}: {}", out.record().kind(), e.toString());
      }
    });
  }
}
