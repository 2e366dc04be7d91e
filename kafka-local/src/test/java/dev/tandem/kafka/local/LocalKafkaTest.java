package dev.tandem.kafka.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {

  @Test
  void keepsTopicsAndRecordsAcrossARestartOnTheSameDirectory(@TempDir Path dir) throws Exception {
    try (LocalKafka kafka = LocalKafka.start(dir, 0)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
      }
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(),
          "acks", "all"), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("t", "k", "hello")).get();
      }
    }
    try (LocalKafka again = LocalKafka.start(dir, 0);
        var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", again.bootstrapServers()),
            new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition("t", 0);
      consumer.assign(Set.of(tp));
      consumer.seekToBeginning(Set.of(tp));
      ConsumerRecords<String, String> records = ConsumerRecords.empty();
      long deadline = System.currentTimeMillis() + 20_000;
      while (records.isEmpty() && System.currentTimeMillis() < deadline) {
        records = consumer.poll(Duration.ofMillis(200));
      }
      assertEquals("hello", records.iterator().next().value());
    }
  }
}
