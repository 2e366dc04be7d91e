package dev.tandem.kafka.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft: one process is broker and controller) running inside this
 * JVM, from the Kafka jars on Maven Central. Its data lives under a directory that survives
 * restarts: a second start on the same directory finds every topic and record again.
 *
 * <p>Listens on 127.0.0.1 only. Not for production: one replica, no security.
 */
public final class LocalKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

  private final Path dataDir;
  private final int port;
  private final KafkaRaftServer server;

  private LocalKafka(Path dataDir, int port, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
  }

  /**
   * Starts a broker with its data in {@code dataDir}, on {@code port} (0: a free port, or the
   * port it used last time when the directory has one), and waits until it answers.
   */
  public static LocalKafka start(Path dataDir, int port) {
    return start(dataDir, port, 0);
  }

  /**
   * As {@link #start(Path, int)}; with {@code port} 0 and no port remembered in the directory,
   * {@code preferred} when it is free (9092, Kafka's own, lets tools find it with no flags).
   */
  public static LocalKafka start(Path dataDir, int port, int preferred) {
    try {
      Files.createDirectories(dataDir);
      Path logDir = dataDir.resolve("kafka-logs");
      int brokerPort = port != 0 ? port : remembered(dataDir, "broker.port")
          .orElseGet(() -> preferred > 0 && free(preferred) ? preferred : freePort());
      int controllerPort = remembered(dataDir, "controller.port").orElse(freePort());
      Properties props = config(logDir, brokerPort, controllerPort);
      Path configFile = dataDir.resolve("server.properties");
      try (var out = Files.newOutputStream(configFile)) {
        props.store(out, "Written by Tandem's LocalKafka; regenerated at every start");
      }
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(configFile);
      }
      remember(dataDir, "broker.port", brokerPort);
      remember(dataDir, "controller.port", controllerPort);
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
      server.startup();
      LocalKafka kafka = new LocalKafka(dataDir, brokerPort, server);
      kafka.awaitReady(Duration.ofSeconds(60));
      LOG.info("Kafka is up at {} with data in {}", kafka.bootstrapServers(), dataDir);
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka's data directory " + dataDir, e);
    }
  }

  private static Properties config(Path logDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    // One process is both broker and controller (KRaft combined mode), as a dev install wants.
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("controller.listener.names", "CONTROLLER");
    // Loopback only: nothing outside this machine can reach the embedded broker.
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // A single node cannot hold more than one replica of the internal topics.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "8");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "8");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Consumer groups form at once instead of waiting 3 s for more members.
    p.put("group.initial.rebalance.delay.ms", "0");
    // Records such as large document snapshots may exceed the 1 MB default.
    p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
    p.put("replica.fetch.max.bytes", String.valueOf(16 * 1024 * 1024));
    // Topics are created explicitly, with their partition counts and configs.
    p.put("auto.create.topics.enable", "false");
    // Fewer background threads: this broker shares two cores with everything else.
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("log.cleaner.threads", "1");
    p.put("num.recovery.threads.per.data.dir", "1");
    // The cleaner's dedupe buffer is 128 MiB by default, allocated on the heap at start-up: a
    // quarter of a 512 MiB standalone's heap, live for good, which made every GC slower. 16 MiB
    // still maps ~700,000 keys per cleaning pass (more keys take more passes).
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
    return p;
  }

  private static void format(Path configFile) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    String clusterId = Uuid.randomUuid().toString();
    // Transactions v1: partitions join a transaction through AddPartitionsToTxn, which is retried
    // safely while the previous commit's markers are written; v2's implicit join refuses the data
    // batch itself (CONCURRENT_TRANSACTIONS), which forces one request in flight and costs latency.
    int rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", configFile.toString(), "--ignore-formatted",
        "--feature", "transaction.version=1"},
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage failed: " + buf.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000))) {
        admin.describeCluster().nodes().get();
        return;
      } catch (Exception e) {
        last = new IllegalStateException("Kafka at " + bootstrapServers() + " does not answer yet", e);
        sleep(200);
      }
    }
    close();
    throw last != null ? last : new IllegalStateException("Kafka did not start in " + timeout);
  }

  /** The address clients bootstrap from, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Where the broker keeps its data. */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops the broker, waiting for it to close its logs cleanly. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  private static java.util.Optional<Integer> remembered(Path dir, String name) throws IOException {
    Path f = dir.resolve(name);
    if (!Files.exists(f)) {
      return java.util.Optional.empty();
    }
    int p = Integer.parseInt(Files.readString(f).trim());
    return isFree(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
  }

  private static void remember(Path dir, String name, int port) throws IOException {
    Files.writeString(dir.resolve(name), Integer.toString(port));
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }
}
