package dev.tandem.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The floor under Tandem's latency: one record produced (acks=all, idempotent, like the
 * gateway's) and consumed (read_committed, like the gateway's feed) on the same broker.
 */
final class KafkaRoundTrip {

  private KafkaRoundTrip() {}

  static Latencies measure(String bootstrap, int ratePerSecond, int seconds) throws Exception {
    String topic = "bench.rtt." + System.nanoTime();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Latencies lat = new Latencies();
    TopicPartition tp = new TopicPartition(topic, 0);
    AtomicBoolean running = new AtomicBoolean(true);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed", "fetch.max.wait.ms", 5), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
            "enable.idempotence", true, "linger.ms", 1), new ByteArraySerializer(), new ByteArraySerializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      Thread sender = new Thread(() -> {
        long interval = 1_000_000_000L / ratePerSecond;
        long next = System.nanoTime();
        while (running.get()) {
          long now = System.nanoTime();
          if (now >= next) {
            producer.send(new ProducerRecord<>(topic, ByteBuffer.allocate(8).putLong(System.nanoTime()).array()));
            next += interval;
          } else {
            Thread.onSpinWait();
          }
        }
      });
      sender.start();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      long warm = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long sent = ByteBuffer.wrap(r.value()).getLong();
          if (sent > warm) {
            lat.add((System.nanoTime() - sent) / 1000);
          }
        }
      }
      running.set(false);
      sender.join();
    }
    return lat;
  }
}
