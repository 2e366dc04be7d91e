package dev.tandem.otservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.kafka.local.SharedKafka;
import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two transactional producers of one incarnation against a real broker: transactions take
 * turns between them and their records keep commit order, and a new incarnation fences both.
 */
@Timeout(120)
class KafkaClientsTest {

  private static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    }
  };

  private final String prefix = "clients" + System.nanoTime();
  private final Topics topics = new Topics(prefix);
  private final String bootstrap = SharedKafka.bootstrapServers();

  @TempDir
  Path state;

  private OtServiceConfig config() {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      topics.ensure(admin, 1);
    }
    return OtServiceConfig.fromEnv(Map.of()).withKafka(bootstrap).withTopics(topics).withGroup(prefix + "-ot")
        .withInstance(prefix + "-1").withStateDir(state);
  }

  @Test
  void transactionsTakeTurnsAndTheirRecordsKeepCommitOrder() {
    OtServiceConfig config = config();
    int transactions = 40;
    try (KafkaClients c = KafkaClients.open(config, NO_LISTENER, () -> { })) {
      List<KafkaProducer<String, byte[]>> used = new ArrayList<>();
      for (int i = 0; i < transactions; i++) {
        KafkaProducer<String, byte[]> p = c.begin();
        assertSame(p, c.current());
        // Two records a transaction, so a reader would see interleaving if order broke.
        p.send(new ProducerRecord<>(topics.committed(), 0, "doc", bytes(i + "a")));
        p.send(new ProducerRecord<>(topics.committed(), 0, "doc", bytes(i + "b")));
        p.commitTransaction();
        used.add(p);
      }
      for (int i = 1; i < transactions; i++) {
        assertNotSame(used.get(i - 1), used.get(i), "transaction " + i + " ran on the producer before it");
      }
      assertEquals(2, used.stream().distinct().count());
    }
    List<String> read = readCommitted(transactions * 2);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < transactions; i++) {
      expected.add(i + "a");
      expected.add(i + "b");
    }
    assertEquals(expected, read);
  }

  @Test
  void aNewIncarnationFencesBothProducersAndAbortsWhatTheyLeftOpen() {
    OtServiceConfig config = config();
    KafkaClients old = KafkaClients.open(config, NO_LISTENER, () -> { });
    try {
      KafkaProducer<String, byte[]> first = old.begin();
      first.send(new ProducerRecord<>(topics.committed(), 0, "doc", bytes("committed")));
      first.commitTransaction();
      // The other producer's transaction is left open, as by an instance that froze mid-batch.
      KafkaProducer<String, byte[]> second = old.begin();
      assertNotSame(first, second);
      second.send(new ProducerRecord<>(topics.committed(), 0, "doc", bytes("left open")));
      second.flush();

      try (KafkaClients fresh = KafkaClients.open(config, NO_LISTENER, () -> { })) {
        KafkaProducer<String, byte[]> p = fresh.begin();
        p.send(new ProducerRecord<>(topics.committed(), 0, "doc", bytes("new incarnation")));
        p.commitTransaction();

        assertThrows(KafkaException.class, second::commitTransaction);
        KafkaProducer<String, byte[]> again = old.begin();
        assertSame(first, again);
        again.send(new ProducerRecord<>(topics.committed(), 0, "doc", bytes("zombie")));
        assertThrows(KafkaException.class, again::commitTransaction);
      }
      assertEquals(List.of("committed", "new incarnation"), readCommitted(2));
    } finally {
      old.close();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The committed topic from the start, read_committed, until {@code n} records (and a little after). */
  private List<String> readCommitted(int n) {
    TopicPartition tp = new TopicPartition(topics.committed(), 0);
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.currentTimeMillis() + 30_000;
      long quietUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        if (out.size() >= n && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.currentTimeMillis() + 500;
        }
      }
    }
    return out;
  }
}
