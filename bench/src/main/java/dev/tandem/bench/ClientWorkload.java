package dev.tandem.bench;

import java.util.List;

/**
 * One workload of {@link ClientBench}: what the real sharedb clients do against each server.
 *
 * @param id the name on the command line ({@code --workloads 1w1d,create})
 * @param writers writers (each its own connection), for {@link Kind#WRITERS}
 * @param docs documents the writers share out, writer {@code i} on document {@code i % docs}
 */
record ClientWorkload(String id, String title, Kind kind, int writers, int docs) {

  /** What the clients do. */
  enum Kind {
    /** Every writer subscribed to its document, closed loop: submit, wait for the ack, again. */
    WRITERS,
    /** Create a document and make one edit, many at once, a fixed number of documents. */
    CREATE,
    /** Fetch documents created earlier, one at a time, after the server let them leave memory. */
    COLD
  }

  static final List<ClientWorkload> ALL = List.of(
      new ClientWorkload("1w1d", "1 writer, 1 document", Kind.WRITERS, 1, 1),
      new ClientWorkload("10w1d", "10 writers, 1 document", Kind.WRITERS, 10, 1),
      new ClientWorkload("50w1d", "50 writers, 1 document", Kind.WRITERS, 50, 1),
      new ClientWorkload("200w1d", "200 writers, 1 document", Kind.WRITERS, 200, 1),
      new ClientWorkload("50w50d", "50 writers, 50 documents (one each)", Kind.WRITERS, 50, 50),
      new ClientWorkload("create", "document creation (create + one edit each)", Kind.CREATE, 0, 0),
      new ClientWorkload("cold", "cold fetch (documents created earlier, one fetch at a time)", Kind.COLD, 0, 0));

  static ClientWorkload named(String id) {
    return ALL.stream().filter(w -> w.id.equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
        "unknown workload " + id + "; known: " + String.join(",", ALL.stream().map(ClientWorkload::id).toList())));
  }
}
