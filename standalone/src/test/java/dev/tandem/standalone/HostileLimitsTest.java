package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * What a client can make the server hold: documents opened by one bulk subscribe, bytes queued
 * for a subscriber that never reads, the CPU of a whole-content diff. The big PUTs run last: on a
 * server without a bounded diff they go on burning CPU after their test.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileLimitsTest extends HostileCase {

  /** Characters of a "big" whole-content PUT; the case is 40,000. */
  private static final int PUT_CHARS = Integer.getInteger("tandem.hostile.putChars", 40_000);
  /** The same for the 20 concurrent PUTs (smaller only to spare a shared machine a server without the fix). */
  private static final int CONCURRENT_PUT_CHARS = Integer.getInteger("tandem.hostile.concurrentPutChars", 40_000);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final List<CompletableFuture<?>> LEFT_RUNNING = new ArrayList<>();

  @AfterAll
  static void cancelLeftovers() {
    LEFT_RUNNING.forEach(f -> f.cancel(true));
  }

  @Test
  @Order(2)
  void aBulkSubscribeOf40000DocumentsIsRefusedAndCostsBoundedMemory() throws Exception {
    long before = HostileServer.retainedBytes();
    try (WsClient mallory = connect()) {
      JsonArray ids = new JsonArray();
      String run = newId().substring(2, 8);
      for (int i = 0; i < 40_000; i++) {
        ids.add(run + i);
      }
      // Under the 1 MiB message limit: it is the number of documents that must be refused.
      assertTrue(new JsonObject().put("a", "bs").put("c", "notes").put("b", ids).encode().length() < 1_000_000);
      mallory.send(new JsonObject().put("a", "bs").put("c", "notes").put("b", ids));
      JsonObject reply;
      try {
        reply = mallory.next(m -> "bs".equals(m.getString("a")) || m.containsKey("error"));
      } catch (AssertionError e) {
        throw new AssertionError("a bulk subscribe of 40,000 documents got no answer within 10 s");
      }
      assertTrue(reply.containsKey("error"), "40,000 documents opened by one message");
      assertEquals(HostileCodes.TOO_MANY_DOCUMENTS, HostileCodes.codeOf(reply));
      long grew = HostileServer.retainedBytes() - before;
      assertTrue(grew < HostileCodes.MEMORY_GROWTH_BOUND, "memory grew by " + (grew >> 20) + " MiB");
      // Within the limit, bulk subscribe still works on the same connection.
      mallory.send(new JsonObject().put("a", "bs").put("c", "notes").put("b", new JsonArray().add(run + "-a").add(run + "-b")));
      JsonObject small = mallory.next("bs");
      assertFalse(small.containsKey("error"), small.encode());
      survived("after a bulk subscribe of 40,000", mallory);
    }
  }

  private static final String QUEUED = "tandem_gateway_outbound_queued_bytes";
  private static final String TCP_CONNECTIONS = "tandem_gateway_connections";

  @Test
  @Order(1)
  void subscribersThatNeverReadButKeepPingingAreClosedAndHoldBoundedMemory() throws Exception {
    String id = newId();
    long before = HostileServer.retainedBytes();
    List<RawWebSocket> sleepers = new ArrayList<>();
    ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger pingsFailed = new AtomicInteger();
    try (WsClient writer = connect()) {
      acked(writer, create("notes", id, TEXT, "", 1));
      long tcpBefore = server.metric(TCP_CONNECTIONS);
      for (int i = 0; i < 8; i++) {
        RawWebSocket s = RawWebSocket.connect(server.port(), "/v1/docs", false, 8192);
        sleepers.add(s);
        s.nextMatching("init", seconds(5));
        s.sendText("{\"a\":\"hs\",\"protocol\":1,\"protocolMinor\":2,\"id\":null}");
        s.nextMatching("\"hs\"", seconds(5));
        s.sendText("{\"a\":\"s\",\"c\":\"notes\",\"d\":\"" + id + "\"}");
        assertTrue(s.nextMatching("\"s\"", seconds(5)).text().contains("\"data\""));
        s.stopReading();
      }
      // What the server holds for its clients, by its own count, sampled throughout.
      AtomicLong queuedMax = new AtomicLong();
      pinger.scheduleAtFixedRate(() -> {
        try {
          queuedMax.accumulateAndGet(server.metric(QUEUED), Math::max);
        } catch (java.io.IOException e) {
          queuedMax.set(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, 50, 100, TimeUnit.MILLISECONDS);
      pinger.scheduleAtFixedRate(() -> {
        for (RawWebSocket s : sleepers) {
          try {
            s.sendText("{\"a\":\"pp\"}");
          } catch (java.io.IOException e) {
            pingsFailed.incrementAndGet();
          }
        }
      }, 100, 200, TimeUnit.MILLISECONDS);
      // 1,200 ops of 100,000 characters, inserted and deleted in turn: 120 MB to each sleeper (the
      // server shares one encoded frame between them, so unbounded queues would hold ~120 MB once).
      String chunk = "z".repeat(100_000);
      long v = 1;
      for (int i = 0; i < 1200; i++) {
        Object op = i % 2 == 0 ? new JsonArray().add(chunk) : new JsonArray().add(new JsonObject().put("d", 100_000));
        try {
          v = acked(writer, op("notes", id, v, 2 + i, op)).getLong("v") + 1;
        } catch (AssertionError e) {
          throw new AssertionError("the writer's op " + i + " got no ack while 8 subscribers did not read: " + e.getMessage());
        }
      }
      assertTrue(queuedMax.get() >= 0 && queuedMax.get() <= HostileCodes.SLOW_CONSUMERS_QUEUED_BOUND, "the server queued "
          + queuedMax.get() + " bytes for 8 subscribers that did not read");
      long grew = HostileServer.retainedBytes() - before;
      System.out.println("subscribers that never read: memory grew by " + (grew >> 20) + " MiB");
      assertTrue(grew < HostileCodes.SLOW_CONSUMER_MEMORY_BOUND, "memory grew by " + (grew >> 20)
          + " MiB with 8 subscribers not reading 120 MB each");
      pinger.shutdownNow();
      // The server closed their TCP connections itself, though they never read its close frame:
      // nothing they left queued is held any longer (the write idle timeout, 5 s here).
      long until0 = System.currentTimeMillis() + 15_000;
      while (server.metric(TCP_CONNECTIONS) > tcpBefore && System.currentTimeMillis() < until0) {
        Thread.sleep(100);
      }
      assertEquals(tcpBefore, server.metric(TCP_CONNECTIONS), "TCP connections of subscribers that never read "
          + "are still open 15 s after they were closed");
      for (RawWebSocket s : sleepers) {
        // Closed long ago by the server: once it reads again it drains at most what the kernel and
        // the budget held, then meets the close (or the end of the stream).
        s.resumeReading();
        long until = System.currentTimeMillis() + HostileCodes.SLOW_CONSUMER_CLOSED.toMillis();
        RawWebSocket.Frame f;
        do {
          f = s.next(Duration.ofMillis(Math.max(1, until - System.currentTimeMillis())));
        } while (f != null && !f.isClose() && System.currentTimeMillis() < until);
        assertTrue(f != null && f.isClose(), "a subscriber that never read is still open "
            + HostileCodes.SLOW_CONSUMER_CLOSED + " after it read again");
      }
      assertTrue(server.metric(QUEUED) < 1 << 20, "bytes still queued once they are closed: " + server.metric(QUEUED));
      survived("after subscribers that never read", writer);
    } finally {
      pinger.shutdownNow();
      sleepers.forEach(RawWebSocket::close);
    }
  }

  private static String randomText(Random random, int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append((char) ('a' + random.nextInt(26)));
      if (random.nextInt(8) == 0) {
        b.append(' ');
        i++;
      }
    }
    return b.substring(0, n);
  }

  private static HttpRequest put(String coll, String id, String text, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(server.http("/v1/docs/" + coll + "/" + id))).timeout(timeout)
        .header("content-type", "text/plain; charset=utf-8").PUT(HttpRequest.BodyPublishers.ofString(text)).build();
  }

  private static String text(String coll, String id) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.http("/v1/docs/" + coll + "/" + id)))
        .timeout(seconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getString("data");
  }

  @Test
  @Order(4)
  void aWholeContentPutOf40000CharactersIsAnsweredWithinSeconds() throws Exception {
    Random random = new Random(11);
    String id = newId();
    String first = randomText(random, PUT_CHARS);
    String second = randomText(random, PUT_CHARS);
    assertEquals(2, HTTP.send(put("notes", id, first, seconds(10)), HttpResponse.BodyHandlers.ofString())
        .statusCode() / 100);
    long t0 = System.currentTimeMillis();
    HttpResponse<String> r;
    try {
      r = HTTP.send(put("notes", id, second, HostileCodes.PUT_BOUND), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new AssertionError("a PUT of " + PUT_CHARS + " characters got no answer within " + HostileCodes.PUT_BOUND);
    }
    long took = System.currentTimeMillis() - t0;
    if (HostileCodes.PUT_DIFF_REFUSED.contains(r.statusCode())) {
      HostileCodes.assertNoInternals(r.body());
      assertEquals(first, text("notes", id));
    } else {
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(second, text("notes", id));
    }
    assertTrue(took < HostileCodes.PUT_BOUND.toMillis(), took + " ms");
    survived("after a big PUT", null);
  }

  @Test
  @Order(5)
  void twentyConcurrentBigPutsDoNotHoldUpOtherUsers() throws Exception {
    Random random = new Random(12);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String id = newId();
      ids.add(id);
      HTTP.send(put("notes", id, randomText(random, CONCURRENT_PUT_CHARS), seconds(10)), HttpResponse.BodyHandlers.discarding());
    }
    String bystander = newId();
    try (WsClient c = connect()) {
      acked(c, create("notes", bystander, TEXT, "calm", 1));
      for (String id : ids) {
        LEFT_RUNNING.add(HTTP.sendAsync(put("notes", id, randomText(random, CONCURRENT_PUT_CHARS), seconds(120)),
            HttpResponse.BodyHandlers.discarding()));
      }
      Thread.sleep(300);
      long t0 = System.currentTimeMillis();
      HttpResponse<String> ops = HTTP.send(HttpRequest.newBuilder(URI.create(server.http("/v1/docs/notes/" + bystander
          + "/ops"))).timeout(HostileCodes.BYSTANDER_BOUND).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ops.statusCode());
      c.send(new JsonObject().put("a", "nf").put("c", "notes").put("d", bystander).put("v", 1));
      JsonObject nf = c.next("nf");
      assertFalse(nf.containsKey("error"), nf.encode());
      HttpResponse<String> small = HTTP.send(put("notes", bystander, "calm too", HostileCodes.BYSTANDER_BOUND),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, small.statusCode(), small.body());
      long took = System.currentTimeMillis() - t0;
      assertTrue(took < 3 * HostileCodes.BYSTANDER_BOUND.toMillis(), "the bystander's requests took " + took + " ms");
      survived("while 20 big PUTs run", c);
    } catch (HttpTimeoutException e) {
      throw new AssertionError("a bystander's request got no answer within " + HostileCodes.BYSTANDER_BOUND
          + " while 20 big PUTs ran");
    }
  }

  @Test
  @Order(3)
  void aPutToAJson0DocumentIsUnsupportedMediaType() throws Exception {
    String id = newId();
    try (WsClient c = connect()) {
      acked(c, create("boards", id, JSON0, new JsonObject().put("n", 1), 1));
      HttpResponse<String> r = HTTP.send(put("boards", id, "text", seconds(5)), HttpResponse.BodyHandlers.ofString());
      assertEquals(HostileCodes.PUT_NOT_TEXT, r.statusCode(), r.body());
      HostileCodes.assertNoInternals(r.body());
      assertEquals(1, snapshot(c, "boards", id).getJsonObject("data").getInteger("n"));
      survived("after a PUT to json0", c);
    }
  }
}
