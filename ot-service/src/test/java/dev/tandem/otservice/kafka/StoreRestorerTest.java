package dev.tandem.otservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.kafka.local.SharedKafka;
import dev.tandem.otservice.store.PartitionStore;
import dev.tandem.otservice.store.SnapshotStores;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SnapshotRecord;
import dev.tandem.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store restored from a real snapshots partition: newest wins, only the tail is read again, junk is skipped. */
@Timeout(120)
class StoreRestorerTest {

  private final Topics topics = new Topics("restorer" + System.nanoTime());
  private final String bootstrap = SharedKafka.bootstrapServers();

  private static byte[] snapshot(String d, long v, String text) {
    return Records.encode(new SnapshotRecord(1, "notes", d, v, "http://sharejs.org/types/text-unicode",
        TextNode.valueOf(text), v, 0));
  }

  @Test
  void keepsTheNewestOfEachKeyAndReadsOnlyTheTailOnTheNextRestore(@TempDir Path dir) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      topics.ensure(admin, 1);
    }
    String topic = topics.snapshots();
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), new ByteArraySerializer());
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        PartitionReader reader = new PartitionReader(bootstrap, "restorer-test", admin, Duration.ofSeconds(10), () -> { });
        SnapshotStores stores = new SnapshotStores(dir, topics.prefix())) {
      p.send(new ProducerRecord<>(topic, 0, "notes/a", snapshot("a", 5, "five"))).get();
      p.send(new ProducerRecord<>(topic, 0, "notes/a", snapshot("a", 3, "stale three"))).get();
      p.send(new ProducerRecord<>(topic, 0, "notes/b", "not json".getBytes())).get();
      p.send(new ProducerRecord<>(topic, 0, "notes/c", snapshot("other", 1, "key and document differ"))).get();
      p.send(new ProducerRecord<>(topic, 0, Checkpoint.KEY, Records.encode(new Checkpoint(1, 40, 30, 0)))).get();
      p.send(new ProducerRecord<>(topic, 0, Checkpoint.KEY, Records.encode(new Checkpoint(1, 20, 10, 0)))).get();

      StoreRestorer restorer = new StoreRestorer(() -> { });
      TopicPartition tp = new TopicPartition(topic, 0);
      PartitionStore store = stores.partition(0);
      StoreRestorer.Restored first = restorer.restore(reader, tp, store);
      assertEquals(0, first.from());
      assertEquals(6, first.records());
      assertEquals(6, store.applied());
      assertEquals(5, decode(store, "notes/a").v(), "an older snapshot after a newer one is not taken");
      assertTrue(store.get("notes/b").isEmpty(), "a record that does not decode is skipped");
      assertTrue(store.get("notes/c").isEmpty(), "a snapshot under another document's key is skipped");
      assertEquals(40, Records.decode(store.get(Checkpoint.KEY).orElseThrow(), Checkpoint.class).offset());

      p.send(new ProducerRecord<>(topic, 0, "notes/a", snapshot("a", 9, "nine"))).get();
      StoreRestorer.Restored second = restorer.restore(reader, tp, store);
      assertEquals(6, second.from());
      assertEquals(1, second.records(), "only what came after the applied offset is read");
      assertEquals("nine", decode(store, "notes/a").data().asText());
    }
  }

  private static SnapshotRecord decode(PartitionStore store, String key) {
    return Records.decode(store.get(key).orElseThrow(), SnapshotRecord.class);
  }
}
