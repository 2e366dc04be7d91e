package dev.tandem.gateway.kafka;

import dev.tandem.schemas.Records;
import dev.tandem.schemas.SubmittedOp;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes what clients submit to {@code tandem.ops.submitted}, keyed by document. Its callbacks
 * run on Kafka's producer thread: callers hand them back to their own context
 * ({@code context.runOnContext}), never to {@code vertx.runOnContext}, which from a foreign
 * thread picks an arbitrary event loop.
 */
public final class Submitter implements AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;

  public Submitter(String bootstrapServers, String clientId, String topic) {
    this.topic = topic;
    producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.CLIENT_ID_CONFIG, clientId,
        // A client's op must not be lost or doubled between gateway and log.
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        // Sent at once: latency matters more than requests saved. Under load, ops batch anyway
        // while earlier requests are in flight; a 1 ms linger added 1 ms to every lone op.
        ProducerConfig.LINGER_MS_CONFIG, 0,
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024,
        // Give up on an op after 10 s; the client gets an error and may resend.
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        // Never block the event loop: metadata is fetched in warmUp(), on a worker.
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 0),
        new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Sends {@code op}; {@code done} gets null once it is durable, or the failure. Never blocks
   * (max.block.ms is 0): when Kafka's metadata is not there, the send fails at once.
   */
  /** The producer itself, for its metrics. */
  public KafkaProducer<String, byte[]> producer() {
    return producer;
  }

  public void submit(SubmittedOp op, Consumer<Throwable> done) {
    try {
      producer.send(new ProducerRecord<>(topic, op.key().value(), Records.encode(op)),
          (meta, error) -> done.accept(error));
    } catch (RuntimeException e) {
      done.accept(e);
    }
  }

  /**
   * Sends any record: presence updates and heartbeats. {@code partition} null means by key.
   * Never blocks; {@code done} gets null once the record is written, or the failure.
   */
  public void publish(String toTopic, Integer partition, String key, byte[] value, Consumer<Throwable> done) {
    try {
      producer.send(new ProducerRecord<>(toTopic, partition, key, value), (meta, error) -> done.accept(error));
    } catch (RuntimeException e) {
      done.accept(e);
    }
  }

  /** How many partitions {@code toTopic} has; its metadata must have been fetched by {@link #warmUp}. */
  public int partitions(String toTopic) {
    return producer.partitionsFor(toTopic).size();
  }

  /** Fetches the topics' metadata, so that sends never wait for it. Blocking: call from a worker. */
  public void warmUp(String... more) throws InterruptedException {
    warmUp(topic);
    for (String t : more) {
      warmUp(t);
    }
  }

  private void warmUp(String t) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        producer.partitionsFor(t);
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("topic " + t + " has no metadata after 60 s", e);
        }
        Thread.sleep(50);
      }
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
