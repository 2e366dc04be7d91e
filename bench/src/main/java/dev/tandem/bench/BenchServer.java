package dev.tandem.bench;

import java.util.Optional;
import java.util.Set;

/** A server {@link ClientBench} drives, started fresh for one workload and stopped after it. */
sealed interface BenchServer extends AutoCloseable permits TandemServer, ShareDbServer {

  /** The column it is printed in. */
  String name();

  /** Its ShareDB-protocol endpoint on loopback. */
  String url();

  /** The processes whose CPU is the server's (for PostgreSQL, the database's too). */
  Set<Long> cpuPids();

  /** Resident memory of the server process, for the figures. */
  String rss();

  /** How many documents it holds in memory, where it says (Tandem's gateway metric). */
  default Optional<Long> openDocuments() {
    return Optional.empty();
  }

  /** Marks the run as failed, so what it leaves on disk is kept for a look. */
  default void keepEvidence() {}

  @Override
  void close();
}
