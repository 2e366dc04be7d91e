package dev.tandem.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One broker per test JVM, started on first use in a fresh temporary directory and stopped
 * when the JVM exits. Every test that needs Kafka asks for this one; tests keep apart by
 * using topics, groups and documents of their own.
 */
public final class SharedKafka {

  private static LocalKafka kafka;

  private SharedKafka() {}

  /** The shared broker, started if it is not running yet. */
  public static synchronized LocalKafka get() {
    if (kafka == null) {
      try {
        Path dir = Files.createTempDirectory("tandem-kafka-");
        kafka = LocalKafka.start(dir, 0);
        LocalKafka started = kafka;
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-kafka-shutdown"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return kafka;
  }

  /** The shared broker's bootstrap address. */
  public static String bootstrapServers() {
    return get().bootstrapServers();
  }
}
