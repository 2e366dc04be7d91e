package dev.tandem.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link ClientBench} runs, from its command line; every setting has a default so a bare
 * run is the full benchmark.
 *
 * @param seconds measured seconds of each timed workload ({@code --seconds}, 12)
 * @param warmup seconds of load before measuring, for the servers' JIT and caches ({@code --warmup}, 4)
 * @param procs Node processes the writers (and creations) are split across: one Node process
 *     running 200 sharedb clients is bound by its own CPU before a server is ({@code --procs}, 2)
 * @param createDocs documents the creation workload creates in its window ({@code --create-docs}, 20000)
 * @param createInflight creations under way at once, all processes together ({@code --create-inflight}, 400)
 * @param createConnections connections they are spread over: Tandem limits messages per
 *     connection (500/s by default), a browser tab creates over one ({@code --create-connections}, 50)
 * @param createTimeout the creation window's bound in seconds ({@code --create-timeout}, 120)
 * @param coldDocs documents the cold-fetch workload creates, then fetches ({@code --cold-docs}, 5000)
 * @param keepData keep each Tandem data directory (they are deleted unless a workload failed)
 * @param pg the PostgreSQL connection string for ShareDB + PostgreSQL (environment {@code PG})
 */
record ClientBenchOptions(List<ClientWorkload> workloads, List<String> servers, int seconds, int warmup, int procs,
    int createDocs, int createInflight, int createConnections, int createTimeout, int coldDocs, boolean keepData,
    Optional<String> pg) {

  static final List<String> SERVERS = List.of("tandem", "sharedb", "sharedb-pg");

  static final String USAGE = """
      usage: java -cp bench/target/tandem-bench.jar dev.tandem.bench.ClientBench [options]
        --workloads LIST          of 1w1d,10w1d,50w1d,200w1d,50w50d,create,cold (all)
        --servers LIST            of tandem,sharedb,sharedb-pg (all; sharedb-pg only when PG is set)
        --seconds N               measured seconds per timed workload (12)
        --warmup N                seconds of load before measuring (4)
        --procs N                 Node load-generator processes per workload (2)
        --create-docs N           documents created in the creation window (20000)
        --create-inflight N       creations under way at once (400)
        --create-connections N    connections the creations are spread over (50)
        --create-timeout N        bound of the creation window in seconds (120)
        --cold-docs N             documents created, then fetched cold (5000)
        --keep-data               keep Tandem's data directories
      environment: PG (connection string; see bench/node/pg-setup.sh), TANDEM_SERVER_JVM_OPTS (-Xmx512m)""";

  static ClientBenchOptions parse(String[] args, Map<String, String> env) {
    List<ClientWorkload> workloads = ClientWorkload.ALL;
    List<String> servers = SERVERS;
    int seconds = 12;
    int warmup = 4;
    int procs = 2;
    int createDocs = 20_000;
    int createInflight = 400;
    int createConnections = 50;
    int createTimeout = 120;
    int coldDocs = 5000;
    boolean keepData = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--keep-data")) {
        keepData = true;
        continue;
      }
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
      }
      String value = args[++i];
      switch (flag) {
        case "--workloads" -> workloads = Arrays.stream(value.split(",")).map(String::trim).map(ClientWorkload::named)
            .toList();
        case "--servers" -> servers = servers(value);
        case "--seconds" -> seconds = positive(flag, value);
        case "--warmup" -> warmup = Math.max(0, number(flag, value));
        case "--procs" -> procs = positive(flag, value);
        case "--create-docs" -> createDocs = positive(flag, value);
        case "--create-inflight" -> createInflight = positive(flag, value);
        case "--create-connections" -> createConnections = positive(flag, value);
        case "--create-timeout" -> createTimeout = positive(flag, value);
        case "--cold-docs" -> coldDocs = positive(flag, value);
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    Optional<String> pg = Optional.ofNullable(env.get("PG")).filter(s -> !s.isBlank());
    return new ClientBenchOptions(workloads, servers, seconds, warmup, procs, createDocs, createInflight,
        createConnections, createTimeout, coldDocs, keepData, pg);
  }

  private static List<String> servers(String value) {
    List<String> out = new ArrayList<>();
    for (String s : value.split(",")) {
      if (!SERVERS.contains(s.trim())) {
        throw new IllegalArgumentException("unknown server " + s + "; known: " + String.join(",", SERVERS));
      }
      out.add(s.trim());
    }
    return out;
  }

  private static int number(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a number, got " + value);
    }
  }

  private static int positive(String flag, String value) {
    int n = number(flag, value);
    if (n < 1) {
      throw new IllegalArgumentException(flag + " must be at least 1, got " + n);
    }
    return n;
  }
}
