package dev.tandem.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * ShareDB 7 ({@code bench/node/sharedb-server.js}) in memory, or on PostgreSQL through
 * sharedb-postgres with its tables emptied at start. Its log goes to a temporary file,
 * removed at close unless the run failed.
 */
final class ShareDbServer implements BenchServer {

  private final Process process;
  private final int port;
  private final boolean pg;
  private final Path log;
  private boolean keep;

  private ShareDbServer(Process process, int port, boolean pg, Path log) {
    this.process = process;
    this.port = port;
    this.pg = pg;
    this.log = log;
  }

  static ShareDbServer start(Optional<String> pgUrl) throws Exception {
    int port = LoadBench.freePort();
    Path log = Files.createTempFile("sharedb-clientbench-", ".log");
    List<String> cmd = new java.util.ArrayList<>(List.of("node", "bench/node/sharedb-server.js", String.valueOf(port),
        "--exit-with-parent"));
    pgUrl.ifPresent(x -> cmd.add("--pg"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pgUrl.ifPresent(url -> pb.environment().put("PG", url));
    ShareDbServer server = new ShareDbServer(Children.start(pb), port, pgUrl.isPresent(), log);
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      while (!Files.readString(log).contains("listening on")) {
        if (!server.process.isAlive() || System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("ShareDB did not start: " + Files.readString(log).strip());
        }
        Thread.sleep(100);
      }
    } catch (Exception e) {
      server.keepEvidence();
      server.close();
      throw e;
    }
    return server;
  }

  @Override
  public String name() {
    return pg ? "ShareDB + PostgreSQL" : "ShareDB in memory";
  }

  @Override
  public String url() {
    return "ws://127.0.0.1:" + port + "/v1/docs";
  }

  @Override
  public Set<Long> cpuPids() {
    Set<Long> pids = new HashSet<>(Set.of(process.pid()));
    if (pg) {
      pids.addAll(ProcCpu.named("postgres"));
    }
    return pids;
  }

  @Override
  public String rss() {
    try {
      return LoadBench.rssOf(process.pid());
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  @Override
  public void keepEvidence() {
    keep = true;
  }

  @Override
  public void close() {
    Children.stop(process, 10);
    if (keep) {
      System.out.println("  (ShareDB's log kept in " + log + ")");
    } else {
      log.toFile().delete();
    }
  }
}
