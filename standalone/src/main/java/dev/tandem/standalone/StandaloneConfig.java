package dev.tandem.standalone;

import dev.tandem.access.TlsFiles;
import dev.tandem.ops.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The standalone server's own options: a flag, else its environment variable, else the default.
 *
 * <pre>
 *   --port N          TANDEM_PORT        8080     HTTP and WebSocket port
 *   --data-dir DIR    TANDEM_DATA_DIR    ./data   where the embedded Kafka and ot-service keep their data
 *   --kafka HOST:PORT TANDEM_KAFKA       (none)   use this Kafka cluster and start none
 *   --kafka-port N    TANDEM_KAFKA_PORT  9092     the embedded broker's port when free (0: any free port)
 *   --partitions N    TANDEM_PARTITIONS  8        partitions of each document topic, when created
 *   --host ADDR       TANDEM_HOST        127.0.0.1 address to listen on
 *   --tls-cert FILE   TANDEM_TLS_CERT    (none)   PEM certificate chain: serve https and wss on the port
 *   --tls-key FILE    TANDEM_TLS_KEY     (none)   its PEM private key
 * </pre>
 */
public record StandaloneConfig(int port, Path dataDir, Optional<String> kafka, int partitions, String host,
    Optional<TlsFiles> tls, int kafkaPort) {

  /** Without TLS, the embedded broker on any free port. */
  public StandaloneConfig(int port, Path dataDir, Optional<String> kafka, int partitions, String host) {
    this(port, dataDir, kafka, partitions, host, Optional.empty(), 0);
  }

  /** The flags, as picocli fills them: each overrides its environment variable. */
  public static final class Flags {
    @Option(names = "--port", paramLabel = "N", description = "HTTP and WebSocket port (TANDEM_PORT, default 8080)")
    String port;
    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "data of the embedded Kafka and ot-service (TANDEM_DATA_DIR, default ./data)")
    String dataDir;
    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "use this Kafka cluster and start none (TANDEM_KAFKA)")
    String kafka;
    @Option(names = "--kafka-port", paramLabel = "N",
        description = "the embedded broker's port, taken when free; 0 for any free port (TANDEM_KAFKA_PORT, default 9092)")
    String kafkaPort;
    @Option(names = "--partitions", paramLabel = "N",
        description = "partitions per document topic when they are created (TANDEM_PARTITIONS, default 8)")
    String partitions;
    @Option(names = "--host", paramLabel = "ADDR", description = "address to listen on (TANDEM_HOST, default 127.0.0.1)")
    String host;
    @Option(names = "--tls-cert", paramLabel = "FILE",
        description = "PEM certificate chain; serve https and wss on the same port (TANDEM_TLS_CERT)")
    String tlsCert;
    @Option(names = "--tls-key", paramLabel = "FILE", description = "its PEM private key (TANDEM_TLS_KEY)")
    String tlsKey;

    /** {@code env} with every flag given put in place of its variable. */
    public Map<String, String> over(Map<String, String> env) {
      Map<String, String> out = new HashMap<>(env);
      put(out, "TANDEM_PORT", port);
      put(out, "TANDEM_DATA_DIR", dataDir);
      put(out, "TANDEM_KAFKA", kafka);
      put(out, "TANDEM_KAFKA_PORT", kafkaPort);
      put(out, "TANDEM_PARTITIONS", partitions);
      put(out, "TANDEM_HOST", host);
      put(out, "TANDEM_TLS_CERT", tlsCert);
      put(out, "TANDEM_TLS_KEY", tlsKey);
      return out;
    }

    private static void put(Map<String, String> m, String name, String value) {
      if (value != null) {
        m.put(name, value);
      }
    }
  }

  /** Flags first, then {@code env}; a bad value is an {@link IllegalArgumentException} naming it. */
  public static StandaloneConfig parse(String[] args, Map<String, String> env) {
    Flags flags = new Flags();
    try {
      new CommandLine(flags).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + "\n" + usage());
    }
    return from(new Settings(flags.over(env)));
  }

  /** The standalone's options in {@code s}. */
  public static StandaloneConfig from(Settings s) {
    int port = s.integer("TANDEM_PORT", 8080, 0, 65535);
    Path dataDir = Path.of(s.text("TANDEM_DATA_DIR", "./data"));
    Optional<String> kafka = s.optional("TANDEM_KAFKA");
    int kafkaPort = s.integer("TANDEM_KAFKA_PORT", 9092, 0, 65535);
    int partitions = s.integer("TANDEM_PARTITIONS", 8, 1, 10_000);
    String host = s.text("TANDEM_HOST", "127.0.0.1");
    return new StandaloneConfig(port, dataDir, kafka, partitions, host, TlsFiles.from(s), kafkaPort);
  }

  static String usage() {
    return new CommandLine(new Flags()).setCommandName("tandem standalone").getUsageMessage();
  }
}
