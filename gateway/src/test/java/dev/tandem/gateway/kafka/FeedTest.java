package dev.tandem.gateway.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kafka.local.SharedKafka;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The feed's backpressure against a real broker: it stops fetching while the hub is behind. */
@Timeout(60)
class FeedTest {

  @Test
  void pausesWhileTooManyRecordsAreUnhandledAndResumesOnceTheyAre() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    String topic = "feed-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    List<Feed.Batch> held = new CopyOnWriteArrayList<>();
    Feed feed = new Feed(bootstrap, "feed-test", List.of(topic), 10, held::add);
    Thread thread = new Thread(feed, "feed-test");
    thread.start();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), new ByteArraySerializer())) {
      waitFor(feed::positioned);
      send(producer, topic, 30);
      waitFor(() -> feed.pauseCount() == 1);
      int held1 = feed.pendingRecords();
      assertTrue(held1 > 10, "paused only over the bound: " + held1);
      // Paused: records written now are not fetched, however long the hub takes.
      send(producer, topic, 30);
      Thread.sleep(1_000);
      assertEquals(held1, feed.pendingRecords());
      assertEquals(held1, delivered(held));
      // The hub catches up: the feed resumes and everything arrives, a bounded amount at a time.
      long deadline = System.currentTimeMillis() + 30_000;
      int done = 0;
      while (delivered(held) < 60 && System.currentTimeMillis() < deadline) {
        assertTrue(feed.pendingRecords() <= 10 + 60, "bounded by the limit plus one poll");
        for (; done < held.size(); done++) {
          held.get(done).done();
        }
        Thread.sleep(20);
      }
      assertEquals(60, delivered(held));
    } finally {
      feed.stop();
      thread.join(10_000);
    }
  }

  private static int delivered(List<Feed.Batch> held) {
    return held.stream().mapToInt(b -> b.records().size()).sum();
  }

  private static void send(KafkaProducer<String, byte[]> producer, String topic, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      producer.send(new ProducerRecord<>(topic, "k", new byte[] {1})).get();
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(20);
    }
  }
}
