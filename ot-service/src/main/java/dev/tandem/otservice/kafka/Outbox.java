package dev.tandem.otservice.kafka;

import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Where the loop's parts send records: the producer of the current incarnation's open transaction. */
final class Outbox {

  private KafkaClients clients;

  void attach(KafkaClients c) {
    this.clients = c;
  }

  /** Sends within the open transaction, to the same partition number as the submitted record's. */
  Future<RecordMetadata> send(String topic, int partition, String key, byte[] value) {
    return clients.current().send(new ProducerRecord<>(topic, partition, key, value));
  }
}
