package dev.tandem.presence;

import dev.tandem.schemas.PresenceRecord;
import dev.tandem.schemas.PresenceRecord.Entry;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * presence-service's loop, on a thread of its own: a consumer group member on
 * {@code tandem.presence}. For each partition it owns it keeps everyone's presence by channel and
 * the last heartbeat of every gateway; it answers a gateway's {@code sync} with the channel's
 * {@code state}, and when a gateway's heartbeats stop for the TTL it removes that gateway's
 * presences and publishes an {@code expire} for each channel they were in. Presence is soft state:
 * a partition it takes over starts empty at the end of the log and asks the gateways, which hold
 * the connections, to publish their clients' presence again ({@code resync}).
 */
public final class PresenceLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceLoop.class);

  private final PresenceConfig config;
  /** Per owned partition: channel, then presence id, then the latest entry. */
  private final Map<Integer, Map<String, Map<String, Entry>>> state = new HashMap<>();
  /** Per owned partition: gateway, then when it was last heard of. */
  private final Map<Integer, Map<String, Long>> gateways = new HashMap<>();
  private final AtomicLong expired = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile boolean ready;
  private volatile int entries;
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;

  public PresenceLoop(PresenceConfig config) {
    this.config = config;
  }

  /** Whether the loop is in its consumer group and polling. */
  public boolean ready() {
    return ready && running;
  }

  public long expiredCount() {
    return expired.get();
  }

  public long syncCount() {
    return syncs.get();
  }

  /** Presences held, as of the last expiry pass. */
  public int entryCount() {
    return entries;
  }

  @Override
  public void run() {
    try {
      open();
      long lastSweep = System.currentTimeMillis();
      long sweepEvery = Math.max(20, config.ttl().toMillis() / 10);
      while (running) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(Math.min(100, sweepEvery)));
        } catch (WakeupException e) {
          continue;
        }
        ready = true;
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> r : records) {
          handle(r, now);
        }
        if (now - lastSweep >= sweepEvery) {
          lastSweep = now;
          sweep(now);
        }
      }
    } catch (KafkaException e) {
      if (running) {
        LOG.error("presence-service {} stopped", config.instanceId(), e);
      }
    } finally {
      running = false;
      if (consumer != null) {
        consumer.close(Duration.ofSeconds(5));
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      stopped.countDown();
    }
  }

  public void stop(Duration timeout) throws InterruptedException {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
    stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void open() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.instanceId() + "-out");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
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
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> {
        state.remove(tp.partition());
        gateways.remove(tp.partition());
      });
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      consumer.seekToEnd(partitions);
      for (TopicPartition tp : partitions) {
        consumer.position(tp);
        state.put(tp.partition(), new HashMap<>());
        gateways.put(tp.partition(), new HashMap<>());
        send(tp.partition(), null, PresenceRecord.resync(config.instanceId(), tp.partition()));
      }
      LOG.info("presence-service {} owns partitions {}", config.instanceId(), partitions);
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r, long now) {
    Map<String, Map<String, Entry>> channels = state.get(r.partition());
    Map<String, Long> alive = gateways.get(r.partition());
    if (channels == null || alive == null) {
      return;
    }
    PresenceRecord record;
    try {
      record = Records.decode(r.value(), PresenceRecord.class);
    } catch (MalformedRecordException | IllegalArgumentException e) {
      LOG.warn("skipping malformed presence record {}@{}: {}", r.partition(), r.offset(), e.getMessage());
      return;
    }
    switch (record.kind()) {
      case PresenceRecord.HEARTBEAT -> alive.put(record.gateway(), now);
      case PresenceRecord.UPDATE -> {
        Entry e = record.update();
        alive.put(e.gateway(), now);
        if (e.gone()) {
          Map<String, Entry> ch = channels.get(record.ch());
          if (ch != null) {
            ch.remove(e.id());
            if (ch.isEmpty()) {
              channels.remove(record.ch());
            }
          }
        } else {
          channels.computeIfAbsent(record.ch(), k -> new LinkedHashMap<>()).put(e.id(), e);
        }
      }
      case PresenceRecord.SYNC -> {
        syncs.incrementAndGet();
        Map<String, Entry> ch = channels.getOrDefault(record.ch(), Map.of());
        send(r.partition(), record.ch(), PresenceRecord.state(record.gateway(), record.ch(), new ArrayList<>(ch.values())));
      }
      default -> { } // state, expire, resync: this service's own output
    }
  }

  /** Expires the presences of gateways not heard of within the TTL. */
  private void sweep(long now) {
    long ttl = config.ttl().toMillis();
    int held = 0;
    for (Map.Entry<Integer, Map<String, Long>> part : gateways.entrySet()) {
      Map<String, Map<String, Entry>> channels = state.get(part.getKey());
      for (Iterator<Map.Entry<String, Long>> it = part.getValue().entrySet().iterator(); it.hasNext();) {
        Map.Entry<String, Long> gw = it.next();
        if (now - gw.getValue() <= ttl) {
          continue;
        }
        it.remove();
        LOG.info("gateway {} silent for more than {} ms: expiring its presence in partition {}", gw.getKey(), ttl,
            part.getKey());
        for (Iterator<Map.Entry<String, Map<String, Entry>>> ci = channels.entrySet().iterator(); ci.hasNext();) {
          Map.Entry<String, Map<String, Entry>> ch = ci.next();
          List<Entry> gone = new ArrayList<>();
          ch.getValue().values().removeIf(e -> {
            boolean dead = e.gateway().equals(gw.getKey());
            if (dead) {
              gone.add(e);
            }
            return dead;
          });
          if (!gone.isEmpty()) {
            expired.addAndGet(gone.size());
            send(part.getKey(), ch.getKey(), PresenceRecord.expire(gw.getKey(), ch.getKey(), gone));
          }
          if (ch.getValue().isEmpty()) {
            ci.remove();
          }
        }
      }
      for (Map<String, Entry> ch : channels.values()) {
        held += ch.size();
      }
    }
    entries = held;
  }

  private void send(int partition, String key, PresenceRecord record) {
    producer.send(new ProducerRecord<>(config.topics().presence(), partition, key, Records.encode(record)), (m, e) -> {
      if (e != null) {
        LOG.warn("presence-service could not publish {}: {}", record.kind(), e.toString());
      }
    });
  }
}
