package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and mutated ShareDB frames against the live server, seeded (print and pass
 * {@code -Dtandem.fuzz.seed=N} to replay), bounded in count ({@code tandem.fuzz.frames}, 2,500)
 * and time ({@code tandem.fuzz.seconds}, 20). Every frame must be answered (a reply or an error) or end in a documented
 * close; meanwhile {@code /health} stays 200 and the canaries keep editing; at the end the event
 * log verifies.
 */
@Timeout(180)
class HostileFuzzTest extends HostileCase {

  private static final int FRAMES = Integer.getInteger("tandem.fuzz.frames", 2500);
  private static final Duration TIME = Duration.ofSeconds(Long.getLong("tandem.fuzz.seconds", 20));
  private static final int CONNECTIONS = 6;
  /** How long a frame may go unanswered. */
  private static final Duration ANSWER = Duration.ofSeconds(5);
  /**
   * Closes the server may answer a frame with: 1002 protocol error, 1003 unacceptable data,
   * 1007 not UTF-8, 1008 policy, 1009 too big.
   */
  private static final Set<Integer> DOCUMENTED_CLOSES = Set.of(1002, 1003, 1007, 1008, 1009);
  /**
   * Actions ShareDB does not answer (a presence request is answered by others' presence, if
   * any): a ping is sent behind them, and its answer counts.
   */
  private static final Set<String> UNANSWERED = Set.of("pr");

  private record Finding(long seed, int connection, int index, String what, FuzzFrames.Frame frame) {
    @Override
    public String toString() {
      return "seed " + seed + " connection " + connection + " frame " + index + ": " + what + ": " + frame;
    }
  }

  @Test
  void randomAndMutatedFramesAreAnsweredAndNeverCrashOrWedgeTheServer() throws Exception {
    long seed = Long.getLong("tandem.fuzz.seed", System.nanoTime());
    System.out.println("HostileFuzzTest seed: " + seed + " (replay with -Dtandem.fuzz.seed=" + seed + ")");
    String run = "fz" + Long.toString(seed & 0xffffff, 36);
    String textDoc = run + "-text";
    String jsonDoc = run + "-json";
    try (WsClient setup = connect()) {
      acked(setup, create("fuzz", textDoc, TEXT, "hello", 1));
      acked(setup, create("fuzz", jsonDoc, JSON0, new JsonObject().put("n", 0).put("list", new JsonArray())
          .put("o", new JsonObject()), 2));
    }
    List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, AtomicInteger> closes = new ConcurrentHashMap<>();
    AtomicInteger sent = new AtomicInteger();
    long deadline = System.currentTimeMillis() + TIME.toMillis();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < CONNECTIONS; i++) {
      int connection = i;
      Thread t = new Thread(() -> fuzz(seed, connection, new FuzzFrames(new Random(seed + connection), textDoc, jsonDoc, run),
          deadline, findings, closes, sent), "fuzz-" + i);
      threads.add(t);
      t.start();
    }
    long lastCheck = System.currentTimeMillis();
    while (threads.stream().anyMatch(Thread::isAlive)) {
      Thread.sleep(500);
      assertTrue(server.health(Duration.ofSeconds(2)) == 200, "seed " + seed + ": /health not 200 after " + sent.get()
          + " frames; findings " + first(findings));
      if (System.currentTimeMillis() - lastCheck > 5000) {
        canary.assertKeptEditing("seed " + seed + ", after " + sent.get() + " frames");
        canary.checkpoint();
        lastCheck = System.currentTimeMillis();
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.println("HostileFuzzTest: " + sent.get() + " frames, closes by code " + new TreeMap<>(closes));
    Map<String, String> times = new TreeMap<>();
    answerMillis.forEach((a, t) -> times.put(a, t[1] + " x " + (t[0] / Math.max(1, t[1])) + " ms"));
    System.out.println("HostileFuzzTest: frames by claimed action, mean time to the first answer: " + times);
    Map<String, Integer> kinds = new TreeMap<>();
    synchronized (findings) {
      for (Finding f : findings) {
        kinds.merge(f.what().length() > 70 ? f.what().substring(0, 70) : f.what(), 1, Integer::sum);
      }
    }
    assertTrue(findings.isEmpty(), findings.size() + " findings " + kinds + ", first: " + first(findings));
    assertTrue(sent.get() >= Math.min(FRAMES, 500), "seed " + seed + ": only " + sent.get() + " frames in " + TIME);
    survived("seed " + seed + ", after " + sent.get() + " fuzzed frames", null);
  }

  private static String first(List<Finding> findings) {
    synchronized (findings) {
      return findings.subList(0, Math.min(5, findings.size())).toString();
    }
  }

  /** Answer time per claimed action, in milliseconds summed, and counts: printed to show where time goes. */
  private final Map<String, long[]> answerMillis = new ConcurrentHashMap<>();

  private void fuzz(long seed, int connection, FuzzFrames frames, long deadline, List<Finding> findings,
      Map<Integer, AtomicInteger> closes, AtomicInteger sent) {
    RawWebSocket socket = null;
    try {
      for (int i = 0; i < FRAMES / CONNECTIONS && System.currentTimeMillis() < deadline && findings.size() < 40; i++) {
        if (socket == null) {
          socket = open();
        }
        FuzzFrames.Frame frame = frames.next();
        try {
          socket.sendFrame(0x1, true, false, FuzzFrames.bytes(frame));
          if (UNANSWERED.contains(frame.action())) {
            // No answer is due: a ping behind it shows the frame was read and the connection lives.
            socket.sendText("{\"a\":\"pp\"}");
          }
        } catch (java.io.IOException e) {
          // closed while sending: the close itself is read next
        }
        sent.incrementAndGet();
        long t0 = System.nanoTime();
        RawWebSocket.Frame answer = socket.next(ANSWER);
        long[] time = answerMillis.computeIfAbsent(frame.action(), k -> new long[2]);
        synchronized (time) {
          time[0] += (System.nanoTime() - t0) / 1_000_000;
          time[1]++;
        }
        if (answer == null) {
          findings.add(new Finding(seed, connection, i, "no answer within " + ANSWER, frame));
          continue;
        }
        if (answer.isClose()) {
          closes.computeIfAbsent(answer.code(), k -> new AtomicInteger()).incrementAndGet();
          if (!DOCUMENTED_CLOSES.contains(answer.code())) {
            findings.add(new Finding(seed, connection, i, "closed with " + answer.code() + " " + answer.text(), frame));
          }
          socket.close();
          socket = null;
          continue;
        }
        check(seed, connection, i, frame, answer.text(), findings);
        drain(socket, seed, connection, i, frame, findings);
      }
    } catch (Exception e) {
      findings.add(new Finding(seed, connection, -1, "the fuzzer failed: " + e, null));
    } finally {
      if (socket != null) {
        socket.close();
      }
    }
  }

  /** Whatever else arrived for this frame (missed ops, acks) is read before the next. */
  private static void drain(RawWebSocket socket, long seed, int connection, int i, FuzzFrames.Frame frame,
      List<Finding> findings) throws InterruptedException {
    RawWebSocket.Frame more;
    while ((more = socket.next(Duration.ofMillis(5))) != null && !more.isClose()) {
      check(seed, connection, i, frame, more.text(), findings);
    }
  }

  private static void check(long seed, int connection, int i, FuzzFrames.Frame frame, String text, List<Finding> findings) {
    try {
      JsonObject m = new JsonObject(text);
      if (m.containsKey("error")) {
        HostileCodes.codeOf(m);
      }
    } catch (AssertionError | RuntimeException e) {
      findings.add(new Finding(seed, connection, i, "bad answer: " + e.getMessage(), frame));
    }
  }

  private static RawWebSocket open() throws Exception {
    RawWebSocket s = RawWebSocket.connect(server.port(), "/v1/docs", false);
    if (s.nextMatching("init", seconds(5)) == null) {
      throw new AssertionError("no init from the server");
    }
    return s;
  }
}
