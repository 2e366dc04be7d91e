package dev.tandem.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tandem against ShareDB under the same load, on this machine: starts the standalone server
 * (a child JVM, so its memory can be read), drives it with {@link LoadGen}, measures Kafka's own
 * produce-to-consume round trip on its broker, then starts a ShareDB server (npm sharedb,
 * in-memory) and drives it the same way. Prints every figure and a summary.
 *
 * <p>Usage (from the repository, after {@code mvn package} and {@code npm ci}):
 * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.LoadBench [--quick] [--warmup SECONDS]}; every
 * figure comes with the CPU the server and this generator used over its window.
 */
public final class LoadBench {

  private LoadBench() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int secs = quick ? 8 : 20;
    // Before the scenarios, each server takes the hot-document load unmeasured this long: a JVM
    // just started spends most of a core compiling for its first minutes (C2 took 31 s of CPU in
    // the first 3.5 minutes of a standalone under load), which the scenarios' own short warm-ups
    // would count as the server's.
    int serverWarmup = quick ? 10 : 60;
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--warmup")) {
        serverWarmup = Integer.parseInt(args[i + 1]);
      }
    }
    LoadGen.Scenario warmup = new LoadGen.Scenario("warm-up", 10, 20, 0, Math.max(1, serverWarmup), 0);
    Path root = Path.of("").toAbsolutePath();
    Path jar = root.resolve("standalone/target/tandem.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException("build first: " + jar + " is missing");
    }
    List<LoadGen.Scenario> scenarios = List.of(
        new LoadGen.Scenario("(b) 1000 docs x 2 writers", 1000, 2, 5, secs, 0),
        new LoadGen.Scenario("(b) 1000 docs x 2 writers @1000/s", 1000, 2, 8, secs, 1000),
        new LoadGen.Scenario("(a) 1 doc x 50 writers", 1, 50, 5, secs, 0));
    List<LoadGen.Result> results = new ArrayList<>();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

    Path data = Files.createTempDirectory("tandem-bench-");
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of("java"));
    // The heap bound README recommends for a small install; override with TANDEM_SERVER_JVM_OPTS.
    cmd.addAll(List.of(System.getenv().getOrDefault("TANDEM_SERVER_JVM_OPTS", "-Xmx512m").trim().split("\\s+")));
    cmd.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(port), "--data-dir", data.toString()));
    System.out.println("server: " + String.join(" ", cmd));
    Process tandem = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile())
        .start();
    String rss;
    String rtt;
    try {
      awaitHealthy(port);
      LoadGen gen = new LoadGen(vertx, "tandem", "127.0.0.1", port).withServerPids(Set.of(tandem.pid()));
      System.out.println("unmeasured: " + gen.run(warmup));
      for (LoadGen.Scenario s : scenarios) {
        LoadGen.Result r = gen.run(s);
        System.out.println(r);
        results.add(r);
      }
      rss = rssOf(tandem.pid());
      String bootstrap = "127.0.0.1:" + Files.readString(data.resolve("kafka/broker.port")).trim();
      rtt = "kafka produce->consume @1000/s: " + KafkaRoundTrip.measure(bootstrap, 1000, quick ? 6 : 12).summary();
      System.out.println(rtt);
    } finally {
      tandem.destroy();
      tandem.waitFor();
    }

    int sharedbPort = freePort();
    Process sharedb = new ProcessBuilder("node", "bench/node/sharedb-server.js", String.valueOf(sharedbPort))
        .redirectErrorStream(true).redirectOutput(data.resolve("sharedb.log").toFile()).start();
    try {
      Thread.sleep(1500);
      LoadGen gen = new LoadGen(vertx, "sharedb", "127.0.0.1", sharedbPort).withServerPids(Set.of(sharedb.pid()));
      System.out.println("unmeasured: " + gen.run(warmup));
      for (LoadGen.Scenario s : scenarios) {
        LoadGen.Result r = gen.run(s);
        System.out.println(r);
        results.add(r);
      }
    } finally {
      sharedb.destroy();
    }
    vertx.close();

    System.out.println();
    System.out.println("== Tandem vs ShareDB (" + Runtime.getRuntime().availableProcessors() + " cores, one machine) ==");
    results.forEach(System.out::println);
    System.out.println(rtt);
    System.out.println("tandem standalone resident memory after the runs (1000+ documents open): " + rss);
    double tandemHot = results.get(2).opsPerSecond();
    double sharedbHot = results.get(5).opsPerSecond();
    System.out.printf(Locale.ROOT, "hot document: Tandem %.0f ops/s vs ShareDB %.0f ops/s = %.2fx%n", tandemHot, sharedbHot,
        tandemHot / sharedbHot);
  }

  static void awaitHealthy(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the standalone server did not become healthy");
  }

  static String rssOf(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        return String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
      }
    }
    return "unknown";
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
