package dev.tandem.standalone;

import dev.tandem.ot.testkit.RepoRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.yaml.snakeyaml.Yaml;

/**
 * The topology of {@code docker-compose.yml}, run as local processes: every service of the file
 * is a JVM started with the command and environment the file gives it (Kafka brokers from the
 * Kafka jars with the properties the apache/kafka image derives from its KAFKA_ variables, Tandem
 * services with {@code tandem COMMAND}), the hosts mapped to loopback ports, secrets filled in.
 * A service can be killed with SIGKILL and started again on the same data.
 */
final class ComposeCluster implements AutoCloseable {

  /** A JVM flag set that spares the two cores: the C1 compiler only, small heaps. */
  private static final List<String> SERVICE_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  private static final List<String> BROKER_JVM = List.of("-Xmx400m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One service of the file: its command line and environment, mapped to this machine. */
  record Spec(String name, List<String> command, Map<String, String> env, boolean kafka) {}

  private final Path dir;
  private final Map<String, Spec> specs = new LinkedHashMap<>();
  private final Map<String, Process> running = new LinkedHashMap<>();
  private final Map<String, Integer> brokerPorts = new TreeMap<>();
  private final Map<String, Integer> httpPorts = new TreeMap<>();

  @SuppressWarnings("unchecked")
  ComposeCluster(Path dir, Map<String, String> variables) throws IOException {
    this.dir = dir;
    Map<String, Object> compose = new Yaml().load(Files.readString(RepoRoot.find().resolve("docker-compose.yml")));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    Map<String, Integer> controllerPorts = new TreeMap<>();
    for (String name : services.keySet()) {
      if (String.valueOf(services.get(name).get("image")).startsWith("apache/kafka")) {
        brokerPorts.put(name, freePort());
        controllerPorts.put(name, freePort());
      }
    }
    for (var e : services.entrySet()) {
      Map<String, Object> s = e.getValue();
      String image = String.valueOf(s.get("image"));
      boolean kafka = image.startsWith("apache/kafka");
      if (!kafka && !image.startsWith("tandem")) {
        continue; // the proxy and coturn: clients here reach the gateways directly; TURN is not exercised
      }
      Map<String, String> env = new TreeMap<>();
      Map<String, Object> raw = (Map<String, Object>) s.getOrDefault("environment", Map.of());
      raw.forEach((k, v) -> env.put(k, interpolate(String.valueOf(v), variables)));
      // Hosts of the file to loopback: kafka-N:9092 and kafka-N:9093 to their ports here.
      env.replaceAll((k, v) -> {
        String out = v;
        for (String b : brokerPorts.keySet()) {
          out = out.replace(b + ":9092", "127.0.0.1:" + brokerPorts.get(b)).replace(b + ":9093",
              "127.0.0.1:" + controllerPorts.get(b));
        }
        return out;
      });
      List<String> command;
      if (kafka) {
        command = List.of();
        env.put("KAFKA_LISTENERS", "PLAINTEXT://127.0.0.1:" + brokerPorts.get(e.getKey()) + ",CONTROLLER://127.0.0.1:"
            + controllerPorts.get(e.getKey()));
      } else {
        command = (List<String>) s.get("command");
        int port = freePort();
        httpPorts.put(e.getKey(), port);
        env.put("TANDEM_PORT", String.valueOf(port));
        env.put("TANDEM_HOST", "127.0.0.1");
        if (env.containsKey("TANDEM_OT_STATE_DIR")) {
          env.put("TANDEM_OT_STATE_DIR", dir.resolve(e.getKey()).resolve("ot-state").toString());
        }
      }
      specs.put(e.getKey(), new Spec(e.getKey(), command, env, kafka));
    }
  }

  /** {@code ${NAME}}, {@code ${NAME:?message}} and {@code ${NAME:-default}} as Compose reads them. */
  static String interpolate(String value, Map<String, String> variables) {
    Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::([?-])([^}]*))?}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = variables.get(m.group(1));
      if (v == null && "?".equals(m.group(2))) {
        throw new IllegalArgumentException(m.group(1) + ": " + m.group(3));
      }
      if (v == null) {
        v = "-".equals(m.group(2)) ? m.group(3) : "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  String bootstrap() {
    List<String> out = new ArrayList<>();
    brokerPorts.values().forEach(p -> out.add("127.0.0.1:" + p));
    return String.join(",", out);
  }

  int httpPort(String service) {
    return httpPorts.get(service);
  }

  Spec spec(String service) {
    return specs.get(service);
  }

  List<String> services(boolean kafka) {
    return specs.values().stream().filter(s -> s.kafka() == kafka).map(Spec::name).toList();
  }

  /** Starts every broker, waits for the quorum, then every Tandem service, and waits until each is ready. */
  void startAll(Duration timeout) throws Exception {
    for (String b : services(true)) {
      start(b);
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap(), "default.api.timeout.ms", 5000,
        "request.timeout.ms", 5000))) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == brokerPorts.size()) {
            break;
          }
        } catch (Exception e) {
          // not yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the brokers did not form a cluster; logs in " + dir);
        }
        Thread.sleep(200);
      }
    }
    for (String s : services(false)) {
      start(s);
    }
    for (String s : services(false)) {
      awaitReady(s, timeout);
    }
  }

  /** Starts one service of the file (again, on the same data when it ran before). */
  void start(String name) throws IOException {
    Spec s = specs.get(name);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(s.kafka() ? BROKER_JVM : SERVICE_JVM);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    if (s.kafka()) {
      cmd.addAll(List.of("kafka.Kafka", brokerConfig(s).toString()));
    } else {
      cmd.add("dev.tandem.standalone.cli.TandemCli");
      cmd.addAll(s.command());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("TANDEM_") || k.startsWith("KAFKA_"));
    if (!s.kafka()) {
      pb.environment().putAll(s.env());
    }
    running.put(name, pb.start());
  }

  /**
   * The broker's properties as the apache/kafka image derives them from KAFKA_ variables (a
   * single underscore is a dot, a double one an underscore, a triple one a dash), its data in this
   * cluster's directory, and its storage formatted with the file's CLUSTER_ID on first start.
   */
  private Path brokerConfig(Spec s) throws IOException {
    Properties p = new Properties();
    s.env().forEach((k, v) -> {
      if (k.startsWith("KAFKA_")) {
        String key = k.substring(6).toLowerCase(Locale.ROOT).replace("___", "-").replace("__", "\u0000")
            .replace('_', '.').replace('\u0000', '_');
        p.setProperty(key, v);
      }
    });
    Path data = dir.resolve(s.name()).resolve("data");
    p.setProperty("log.dirs", data.toString());
    // Sized for a test machine: the image's defaults assume a machine of its own.
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    p.setProperty("log.cleaner.threads", "1");
    Path file = dir.resolve(s.name()).resolve("server.properties");
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, "from docker-compose.yml");
    }
    if (!Files.exists(data.resolve("meta.properties"))) {
      java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
      int rc = StorageTool.execute(new String[] {"format", "-t", s.env().get("CLUSTER_ID"), "-c", file.toString(),
          "--ignore-formatted"}, new java.io.PrintStream(log, true, StandardCharsets.UTF_8));
      if (rc != 0) {
        throw new IllegalStateException("formatting " + s.name() + ": " + log.toString(StandardCharsets.UTF_8));
      }
    }
    return file;
  }

  /** SIGKILL: no drain, no goodbye. */
  void kill(String name) throws InterruptedException {
    Process p = running.remove(name);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  boolean ready(String name) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort(name) + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void awaitReady(String name, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready(name)) {
      Process p = running.get(name);
      if (p != null && !p.isAlive()) {
        throw new IllegalStateException(name + " exited with " + p.exitValue() + ": " + tail(name));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " not ready in " + timeout + ": " + tail(name));
      }
      Thread.sleep(100);
    }
  }

  String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Process p : running.values()) {
      p.destroyForcibly();
    }
    for (Process p : running.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    running.clear();
  }
}
