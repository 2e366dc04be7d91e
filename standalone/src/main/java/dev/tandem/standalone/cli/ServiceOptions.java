package dev.tandem.standalone.cli;

import dev.tandem.ops.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/**
 * The options every service takes. Each flag stands for an environment variable (a flag wins);
 * {@code --set NAME=VALUE} gives any other of the service's settings (README, "Settings") as a
 * flag, and a name the service does not read is refused.
 */
public final class ServiceOptions {

  private final Map<String, String> flags = new HashMap<>();

  @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (TANDEM_KAFKA, default 127.0.0.1:9092)")
  void kafka(String v) {
    flags.put("TANDEM_KAFKA", v);
  }

  @Option(names = "--host", paramLabel = "ADDR", description = "address the HTTP port listens on (TANDEM_HOST, default 127.0.0.1)")
  void host(String v) {
    flags.put("TANDEM_HOST", v);
  }

  @Option(names = "--port", paramLabel = "N", description = "HTTP port: clients, probes and metrics (TANDEM_PORT)")
  void port(String v) {
    flags.put("TANDEM_PORT", v);
  }

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "topic name prefix (TANDEM_TOPIC_PREFIX, default tandem)")
  void prefix(String v) {
    flags.put("TANDEM_TOPIC_PREFIX", v);
  }

  @Option(names = "--instance", paramLabel = "ID",
      description = "this instance's id; a restart with the same id fences its previous self (TANDEM_INSTANCE, default random)")
  void instance(String v) {
    flags.put("TANDEM_INSTANCE", v);
  }

  @Option(names = "--partitions", paramLabel = "N",
      description = "partitions per document topic, when this service creates them (TANDEM_PARTITIONS, default 8)")
  void partitions(String v) {
    flags.put("TANDEM_PARTITIONS", v);
  }

  @Option(names = "--drain-ms", paramLabel = "MS",
      description = "on SIGTERM, how long to spread closing client sockets over (TANDEM_DRAIN_MS, default 5000)")
  void drain(String v) {
    flags.put("TANDEM_DRAIN_MS", v);
  }

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "any other setting, as its environment variable would")
  void set(List<String> pairs) {
    for (String p : pairs) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set takes NAME=VALUE, got " + p);
      }
      String name = p.substring(0, eq).trim();
      flags.put(name, p.substring(eq + 1));
      setNames.add(name);
    }
  }

  private final Set<String> setNames = new TreeSet<>();

  /** The environment with the flags in place of their variables. */
  public Settings settings(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(flags);
    return new Settings(all);
  }

  /** Refuses a {@code --set} name that the service did not read while configuring itself. */
  public void checkSetNames(Settings read, String service) {
    Set<String> unknown = new TreeSet<>(setNames);
    unknown.removeAll(read.namesRead());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(service + " has no setting " + String.join(", ", unknown)
          + "; it reads " + String.join(", ", read.namesRead()));
    }
  }
}
