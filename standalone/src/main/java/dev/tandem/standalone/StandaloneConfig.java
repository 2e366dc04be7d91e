package dev.tandem.standalone;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The standalone server's options: flags first, then environment variables, then defaults.
 *
 * <pre>
 *   --port N          TANDEM_PORT        8080     HTTP and WebSocket port
 *   --data-dir DIR    TANDEM_DATA_DIR    ./data   where the embedded Kafka keeps its data
 *   --kafka HOST:PORT TANDEM_KAFKA       (none)   use this Kafka cluster and start none
 *   --partitions N    TANDEM_PARTITIONS  8        partitions of each document topic, when created
 *   --host ADDR       TANDEM_HOST        127.0.0.1 address to listen on
 *   --tls-cert FILE   TANDEM_TLS_CERT    (none)   PEM certificate chain: serve https and wss on the port
 *   --tls-key FILE    TANDEM_TLS_KEY     (none)   its PEM private key
 * </pre>
 */
public record StandaloneConfig(int port, Path dataDir, Optional<String> kafka, int partitions, String host,
    Optional<dev.tandem.access.TlsFiles> tls) {

  /** Without TLS. */
  public StandaloneConfig(int port, Path dataDir, Optional<String> kafka, int partitions, String host) {
    this(port, dataDir, kafka, partitions, host, Optional.empty());
  }

  public static StandaloneConfig parse(String[] args, Map<String, String> env) {
    int port = Integer.parseInt(env.getOrDefault("TANDEM_PORT", "8080"));
    Path dataDir = Path.of(env.getOrDefault("TANDEM_DATA_DIR", "./data"));
    Optional<String> kafka = Optional.ofNullable(env.get("TANDEM_KAFKA")).filter(s -> !s.isBlank());
    int partitions = Integer.parseInt(env.getOrDefault("TANDEM_PARTITIONS", "8"));
    String host = env.getOrDefault("TANDEM_HOST", "127.0.0.1");
    String cert = env.get("TANDEM_TLS_CERT");
    String key = env.get("TANDEM_TLS_KEY");
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException(usage());
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value\n" + usage());
      }
      String value = args[++i];
      switch (flag) {
        case "--port" -> port = number(flag, value);
        case "--data-dir" -> dataDir = Path.of(value);
        case "--kafka" -> kafka = Optional.of(value);
        case "--partitions" -> partitions = number(flag, value);
        case "--host" -> host = value;
        case "--tls-cert" -> cert = value;
        case "--tls-key" -> key = value;
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + usage());
      }
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535, got " + port);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1");
    }
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
    }
    Optional<dev.tandem.access.TlsFiles> tls = cert == null ? Optional.empty()
        : Optional.of(new dev.tandem.access.TlsFiles(Path.of(cert), Path.of(key)));
    return new StandaloneConfig(port, dataDir, kafka, partitions, host, tls);
  }

  private static int number(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a number, got " + value);
    }
  }

  static String usage() {
    return """
        usage: java -jar tandem-standalone.jar [--port N] [--data-dir DIR] [--kafka HOST:PORT] [--partitions N] [--host ADDR]
                                               [--tls-cert FILE --tls-key FILE]
          --port        HTTP and WebSocket port (TANDEM_PORT, default 8080)
          --data-dir    data of the embedded Kafka (TANDEM_DATA_DIR, default ./data)
          --kafka       use this Kafka cluster and start none (TANDEM_KAFKA)
          --partitions  partitions per document topic when they are created (TANDEM_PARTITIONS, default 8)
          --host        address to listen on (TANDEM_HOST, default 127.0.0.1)
          --tls-cert    PEM certificate chain; serve https and wss on the same port (TANDEM_TLS_CERT)
          --tls-key     its PEM private key (TANDEM_TLS_KEY)""";
  }
}
