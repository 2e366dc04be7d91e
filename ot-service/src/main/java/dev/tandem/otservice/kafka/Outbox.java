package dev.tandem.otservice.kafka;

import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Where the loop's parts send records: the current incarnation's transactional producer. */
final class Outbox {

  private KafkaProducer<String, byte[]> producer;

  void attach(KafkaProducer<String, byte[]> p) {
    this.producer = p;
  }

  /** Sends within the open transaction, to the same partition number as the submitted record's. */
  Future<RecordMetadata> send(String topic, int partition, String key, byte[] value) {
    return producer.send(new ProducerRecord<>(topic, partition, key, value));
  }
}
