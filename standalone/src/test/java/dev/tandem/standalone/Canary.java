package dev.tandem.standalone;

import dev.tandem.history.LogReader;
import dev.tandem.schemas.DocKey;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A polite client editing one text document in every partition of {@code tandem.ops.submitted}
 * (ids picked so Kafka's default partitioner puts one in each), one op per document per round,
 * each waiting for its ack. A hostile case that wedges a partition, a loop or the gateway shows
 * as a canary op not acknowledged in time. Runs on a thread of its own until closed.
 */
final class Canary implements AutoCloseable {

  /** The longest an op may wait for its ack before the canary calls the server wedged. */
  static final Duration ACK_BOUND = Duration.ofSeconds(5);

  private static final String COLLECTION = "canary";
  private static final String TEXT = "http://sharejs.org/types/text-unicode";

  private final WsClient client;
  private final List<String> docs = new ArrayList<>();
  private final long[] versions;
  private final Thread thread;
  private volatile boolean stopped;
  // Guarded by this: what happened since the last checkpoint.
  private final long[] ackedSince;
  private long maxAckMillis;
  private String failure;
  private long pendingSince;
  private int pendingDoc = -1;
  private long seq;
  private volatile String closedAt = "open";

  /** Creates one canary document per partition and starts editing them. */
  Canary(Vertx vertx, int port, int partitions) throws Exception {
    client = WsClient.shareDb(vertx, port);
    client.whenClosed(code -> closedAt = "closed with " + code + " at " + System.currentTimeMillis());
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int p = 0; p < partitions; p++) {
      for (int n = 0; ; n++) {
        String id = "c-" + run + "-" + n;
        if (LogReader.partitionOf(new DocKey(COLLECTION, id), partitions) == p) {
          docs.add(id);
          break;
        }
      }
    }
    versions = new long[partitions];
    ackedSince = new long[partitions];
    for (int i = 0; i < docs.size(); i++) {
      client.send(new JsonObject().put("a", "op").put("c", COLLECTION).put("d", docs.get(i)).put("v", 0)
          .put("seq", ++seq).put("create", new JsonObject().put("type", TEXT).put("data", "")));
      JsonObject ack = awaitAck(docs.get(i), seq, Duration.ofSeconds(20));
      if (ack == null || ack.containsKey("error")) {
        throw new AssertionError("canary document in partition " + i + " was not created within 20 s: " + ack);
      }
      versions[i] = 1;
    }
    thread = new Thread(this::run, "canary-" + run);
    thread.setDaemon(true);
    thread.start();
  }

  private JsonObject awaitAck(String doc, long s, Duration timeout) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (!stopped) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      String text = client.poll(Math.min(left, 200));
      if (text == null) {
        continue;
      }
      JsonObject m = new JsonObject(text);
      if ("op".equals(m.getString("a")) && doc.equals(m.getString("d")) && m.getLong("seq", -1L) == s) {
        return m;
      }
    }
    return null;
  }

  private void run() {
    try {
      while (!stopped) {
        for (int i = 0; i < docs.size() && !stopped; i++) {
          long s;
          synchronized (this) {
            s = ++seq;
            pendingDoc = i;
            pendingSince = System.currentTimeMillis();
          }
          client.send(new JsonObject().put("a", "op").put("c", COLLECTION).put("d", docs.get(i)).put("v", versions[i])
              .put("seq", s).put("op", new JsonArray().add("x")));
          // Waits well past the bound: a late ack is recorded as late, a missing one as wedged.
          JsonObject ack = awaitAck(docs.get(i), s, Duration.ofSeconds(60));
          synchronized (this) {
            long took = System.currentTimeMillis() - pendingSince;
            pendingDoc = -1;
            if (ack == null) {
              if (!stopped) {
                failure = "canary op on partition " + i + " got no ack within 60 s";
              }
              return;
            }
            if (ack.containsKey("error")) {
              failure = "canary op on partition " + i + " was refused: " + ack.encode();
              return;
            }
            versions[i] = ack.getLong("v") + 1;
            ackedSince[i]++;
            maxAckMillis = Math.max(maxAckMillis, took);
            notifyAll();
          }
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      synchronized (this) {
        failure = "canary failed: " + e;
      }
    }
  }

  /** Starts a new window: what {@link #assertKeptEditing} judges is what happens after this. */
  synchronized void checkpoint() {
    java.util.Arrays.fill(ackedSince, 0);
    maxAckMillis = 0;
  }

  /**
   * Since the last checkpoint, every partition's canary got at least one more ack (waiting up to
   * a few bounds for it), none waited longer than {@link #ACK_BOUND}, and none is stuck.
   */
  synchronized void assertKeptEditing(String during) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 3 * ACK_BOUND.toMillis();
    while (failure == null && !allAcked() && System.currentTimeMillis() < deadline) {
      wait(200);
    }
    String where = " (" + during + ")";
    if (failure != null) {
      throw new AssertionError(failure + where);
    }
    if (pendingDoc >= 0 && System.currentTimeMillis() - pendingSince > ACK_BOUND.toMillis()) {
      throw new AssertionError("canary op on partition " + pendingDoc + " (" + COLLECTION + "/" + docs.get(pendingDoc)
          + " v" + versions[pendingDoc] + ", socket " + closedAt + ", now " + System.currentTimeMillis() + ") waiting for its ack for "
          + (System.currentTimeMillis() - pendingSince) + " ms" + where);
    }
    for (int i = 0; i < ackedSince.length; i++) {
      if (ackedSince[i] == 0) {
        throw new AssertionError("canary in partition " + i + " got no ack" + where);
      }
    }
    if (maxAckMillis > ACK_BOUND.toMillis()) {
      throw new AssertionError("a canary op waited " + maxAckMillis + " ms for its ack, over " + ACK_BOUND + where);
    }
  }

  private boolean allAcked() {
    for (long n : ackedSince) {
      if (n == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    stopped = true;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }
}
