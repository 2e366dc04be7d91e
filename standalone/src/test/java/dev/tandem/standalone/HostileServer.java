package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.history.Verifier;
import dev.tandem.schemas.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole standalone server (embedded broker, every service, the gateway) on a data directory
 * of its own, for the hostile-client tests: restart on the same data, ask {@code /health}, check
 * that the server survived a case, and run the history {@code verify} over its event log.
 */
final class HostileServer implements AutoCloseable {

  /** Partitions of every document topic; the canaries keep a document in each. */
  static final int PARTITIONS = 4;

  private final Path dataDir;
  private final Map<String, String> env;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Standalone server;

  private HostileServer(Path dataDir, Map<String, String> env) {
    this.dataDir = dataDir;
    this.env = env;
    this.server = Standalone.start(config(), env);
  }

  /** A server on a fresh data directory, with {@code env} on top of {@link HostileCodes#SERVER_ENV}. */
  static HostileServer start(Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>(HostileCodes.SERVER_ENV);
    env.putAll(extraEnv);
    try {
      return new HostileServer(Files.createTempDirectory("tandem-hostile-"), Map.copyOf(env));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static HostileServer start() {
    return start(Map.of());
  }

  private StandaloneConfig config() {
    return StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir", dataDir.toString(), "--partitions",
        String.valueOf(PARTITIONS)}, Map.of());
  }

  /** Stops the server and starts it again on the same data directory (a new port). */
  void restart() {
    server.close();
    server = Standalone.start(config(), env);
  }

  int port() {
    return server.port();
  }

  String bootstrap() {
    return server.bootstrapServers();
  }

  String http(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** The value of {@code name} on {@code GET /metrics}, or -1 when it is not there. */
  long metric(String name) throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(URI.create(http("/metrics"))).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return -1;
  }

  /** {@code GET /health}: its status, or -1 when it does not answer within {@code timeout}. */
  int health(Duration timeout) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(http("/health"))).timeout(timeout).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** {@code /health} answers 200 within a second, now and for {@code stable} after. */
  void assertHealthy(Duration stable) throws InterruptedException {
    long end = System.currentTimeMillis() + stable.toMillis();
    do {
      assertEquals(200, health(Duration.ofSeconds(1)), "/health is not 200 within 1 s");
      Thread.sleep(200);
    } while (System.currentTimeMillis() < end);
  }

  /**
   * The server survived: {@code /health} is 200, a new connection gets through ShareDB's
   * handshake and a ping, and the hostile connection (when the protocol lets it stay) still
   * answers a ping.
   */
  void assertSurvived(Vertx vertx, WsClient hostile) throws Exception {
    assertHealthy(Duration.ZERO);
    try (WsClient fresh = WsClient.shareDb(vertx, port())) {
      fresh.send(new JsonObject().put("a", "pp"));
      fresh.next("pp");
    }
    if (hostile != null) {
      assertFalse(hostile.isClosed(), "the hostile connection was closed though the protocol lets it stay");
      hostile.send(new JsonObject().put("a", "pp"));
      hostile.next("pp");
    }
  }

  /** Runs the history {@code verify} over the server's whole event log and asserts it is sound. */
  Verifier.Report assertLogVerifies() {
    try (LogReader reader = new LogReader(bootstrap())) {
      Verifier.Report report = new Verifier(reader, Topics.DEFAULT).verify(null, Progress.NONE);
      assertTrue(report.ok(), "verify found a fault in the event log: " + report.fault());
      return report;
    }
  }

  /** Every committed op of document {@code coll/id}, in log order, as the JSON records the log holds. */
  java.util.List<JsonObject> committed(String coll, String id) {
    java.util.List<JsonObject> out = new java.util.ArrayList<>();
    String key = coll + "/" + id;
    try (LogReader reader = new LogReader(bootstrap())) {
      int p = LogReader.partitionOf(new dev.tandem.schemas.DocKey(coll, id), PARTITIONS);
      reader.scan(new org.apache.kafka.common.TopicPartition(Topics.DEFAULT.committed(), p), 0, r -> {
        if (key.equals(r.key())) {
          out.add(new JsonObject(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)));
        }
        return true;
      }, Progress.NONE);
    }
    return out;
  }

  /**
   * Memory held by this JVM (the server and its broker run in it) after a full collection: the
   * heap in use plus direct buffers, where Netty keeps queued socket writes.
   */
  static long retainedBytes() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      used += Math.max(0, pool.getMemoryUsed());
    }
    long netty = io.netty.util.internal.PlatformDependent.usedDirectMemory();
    return used + Math.max(0, netty);
  }

  @Override
  public void close() {
    server.close();
  }
}
