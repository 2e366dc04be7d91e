package dev.tandem.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tandem against ShareDB as a user's client sees them: the real npm {@code sharedb} 7 client in
 * Node ({@code bench/node/client-load.js}, the {@code ws} client with its defaults, as browsers
 * behave) runs the same workloads against the standalone server, ShareDB in memory and ShareDB
 * on PostgreSQL (when {@code PG} is set), each server started fresh for each workload, and the
 * figures are printed side by side with the generator's and the server's CPU next to them.
 *
 * <p>Usage (from the repository, after {@code npm ci} and {@code mvn -B -DskipTests package}):
 * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.ClientBench [--workloads ...]
 * [--seconds N]}; {@code --help} lists every option.
 */
public final class ClientBench {

  /**
   * For the cold-fetch workload only: documents leave Tandem's memory after a second idle
   * (defaults: 5 minutes in ot-service, 1 minute in the gateway), so fetching the documents
   * created a few seconds earlier loads them from Kafka as a cold document would.
   */
  static final Map<String, String> COLD_ENV = Map.of("TANDEM_IDLE_EVICT_MS", "1000", "TANDEM_GATEWAY_IDLE_MS", "1000");

  private ClientBench() {}

  public static void main(String[] args) throws Exception {
    ClientBenchOptions options;
    try {
      options = ClientBenchOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path jar = Path.of("standalone/target/tandem.jar").toAbsolutePath();
    requireFile(jar, "build first: mvn -B -DskipTests package");
    requireFile(Path.of("node_modules/sharedb/package.json"), "install the npm packages first: npm ci");
    requireFile(Path.of("bench/node/client-load.js"), "run from the repository's root");
    System.out.printf("real sharedb client bench: %d cores, %d s measured after %d s warm-up, up to %d Node "
        + "processes a workload; ot-text-unicode documents throughout%n", Runtime.getRuntime().availableProcessors(),
        options.seconds(), options.warmup(), options.procs());
    if (options.servers().contains("sharedb-pg") && options.pg().isEmpty()) {
      System.out.println("ShareDB + PostgreSQL: skipped, PG is not set (run bench/node/pg-setup.sh, then "
          + "PG=postgres://tandem_bench:tandem_bench@127.0.0.1:5432/tandem_bench)");
    }
    Map<ClientWorkload, List<ClientFigures>> all = new LinkedHashMap<>();
    for (ClientWorkload w : options.workloads()) {
      List<ClientFigures> cells = new ArrayList<>();
      for (String s : options.servers()) {
        ClientFigures c = runOne(w, s, options);
        System.out.println(ClientTable.line(w, c));
        cells.add(c);
      }
      all.put(w, cells);
    }
    System.out.println();
    System.out.println("== the real sharedb client, side by side (" + Runtime.getRuntime().availableProcessors()
        + " cores; CPU in cores over the measured window; delivered msgs = remote ops + acks received by clients) ==");
    all.forEach((w, cells) -> System.out.println(ClientTable.render(w, cells)));
  }

  private static ClientFigures runOne(ClientWorkload w, String server, ClientBenchOptions options) {
    String column = switch (server) {
      case "tandem" -> "Tandem";
      case "sharedb" -> "ShareDB in memory";
      default -> "ShareDB + PostgreSQL";
    };
    if (server.equals("sharedb-pg") && options.pg().isEmpty()) {
      return ClientFigures.skipped(column, "skipped: PG unset");
    }
    BenchServer s = null;
    try {
      s = switch (server) {
        case "tandem" -> TandemServer.start(Path.of("standalone/target/tandem.jar").toAbsolutePath(),
            w.kind() == ClientWorkload.Kind.COLD ? COLD_ENV : Map.of(), options.keepData());
        case "sharedb" -> ShareDbServer.start(Optional.empty());
        default -> ShareDbServer.start(options.pg());
      };
      return new ClientRun(w, s, options).run();
    } catch (Exception e) {
      if (s != null) {
        s.keepEvidence();
      }
      return ClientFigures.failed(column, String.valueOf(e.getMessage()));
    } finally {
      if (s != null) {
        s.close();
      }
    }
  }

  private static void requireFile(Path p, String hint) {
    if (!Files.exists(p)) {
      System.err.println(p + " is missing: " + hint);
      System.exit(2);
    }
  }
}
