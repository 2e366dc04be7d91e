package dev.tandem.history;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.TelemetryRecord;
import dev.tandem.schemas.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Calls as their participants' stats reports in {@code tandem.telemetry} tell them: a room's
 * reports with no gap longer than {@link #GAP_MS} make one call. Per call: who took part, how
 * long, a quality score per {@link #WINDOW_MS} window from loss, jitter and round-trip time,
 * the share of connections relayed through TURN, freezes, reconnects and frames decoded.
 *
 * <p>Reports carry counters cumulative since each stream began (getStats's), so a window's loss
 * is the difference between a stream's report and its previous one: packets lost over packets
 * expected. The score is the ITU-T G.107 E-model's R factor, simplified as WebRTC monitoring
 * commonly does it (effective latency = rtt / 2 + 2 x jitter + 10 ms; R = 93.2 minus a latency
 * term minus 2.5 per percent lost), mapped to a mean opinion score from 1 (bad) to 4.5 (best).
 */
public final class Calls {

  /** Reports 60 s apart or more belong to different calls. */
  public static final long GAP_MS = 60_000;
  public static final long WINDOW_MS = 20_000;

  /** One 20 s window of a call. */
  public record Window(long start, int reports, double loss, double jitterMs, double rttMs, double score,
      double relayShare, long freezes) {}

  /** One call. */
  public record Call(String room, long start, long end, Map<String, String> participants, List<Window> windows,
      double relayShare, long freezes, long reconnects, long framesDecoded, double firstMediaMs) {

    public long durationMs() {
      return end - start;
    }

    public double minScore() {
      return windows.stream().mapToDouble(Window::score).filter(s -> !Double.isNaN(s)).min().orElse(Double.NaN);
    }

    public double meanScore() {
      return windows.stream().mapToDouble(Window::score).filter(s -> !Double.isNaN(s)).average().orElse(Double.NaN);
    }
  }

  private Calls() {}

  /** Every call in the telemetry topic ({@code room} null), or those of one room, oldest first. */
  public static List<Call> read(LogReader reader, Topics topics, String room, Progress progress) {
    Map<String, List<TelemetryRecord>> byRoom = new TreeMap<>();
    int partitions = reader.partitions(topics.telemetry());
    for (int p = 0; p < partitions; p++) {
      reader.scan(new TopicPartition(topics.telemetry(), p), 0, r -> {
        if (room != null && !room.equals(r.key())) {
          return true;
        }
        try {
          TelemetryRecord t = Records.decode(r.value(), TelemetryRecord.class);
          byRoom.computeIfAbsent(t.room(), k -> new ArrayList<>()).add(t);
        } catch (MalformedRecordException | IllegalArgumentException e) {
          // A report that does not decode tells nothing; the rest of the call still does.
        }
        return true;
      }, progress);
    }
    List<Call> calls = new ArrayList<>();
    byRoom.values().forEach(reports -> calls.addAll(of(reports)));
    calls.sort(Comparator.comparingLong(Call::start));
    return calls;
  }

  /** The calls one room's reports make. */
  public static List<Call> of(List<TelemetryRecord> reports) {
    List<TelemetryRecord> sorted = new ArrayList<>(reports);
    sorted.sort(Comparator.comparingLong(TelemetryRecord::ts));
    List<Call> calls = new ArrayList<>();
    List<TelemetryRecord> current = new ArrayList<>();
    for (TelemetryRecord t : sorted) {
      if (!current.isEmpty() && t.ts() - current.get(current.size() - 1).ts() >= GAP_MS) {
        calls.add(call(current));
        current = new ArrayList<>();
      }
      current.add(t);
    }
    if (!current.isEmpty()) {
      calls.add(call(current));
    }
    return calls;
  }

  /** What one inbound stream reported last: counters to subtract from the next report. */
  private record Seen(long received, long lost, long freezes, long frames) {}

  private static final class WindowSums {
    int reports;
    long received;
    long lost;
    double jitter;
    int jitterSamples;
    double rtt;
    int rttSamples;
    int connections;
    int relayed;
    long freezes;
  }

  private static Call call(List<TelemetryRecord> reports) {
    long start = reports.get(0).ts();
    long end = reports.get(reports.size() - 1).ts();
    Map<String, String> participants = new LinkedHashMap<>();
    Map<String, Seen> streams = new HashMap<>();
    Map<String, Long> reconnects = new HashMap<>();
    Map<String, Double> firstMedia = new HashMap<>();
    TreeMap<Long, WindowSums> windows = new TreeMap<>();
    int connections = 0;
    int relayed = 0;
    for (TelemetryRecord t : reports) {
      participants.putIfAbsent(t.peer(), t.user() == null ? "" : t.user());
      WindowSums w = windows.computeIfAbsent((t.ts() - start) / WINDOW_MS, k -> new WindowSums());
      w.reports++;
      JsonNode s = t.stats();
      reconnects.merge(t.peer(), s.path("reconnects").asLong(), Math::max);
      if (s.has("firstMediaMs")) {
        firstMedia.merge(t.peer(), s.get("firstMediaMs").asDouble(), Math::min);
      }
      for (JsonNode c : s.path("connections")) {
        JsonNode pair = c.get("pair");
        if (pair != null) {
          boolean relay = "relay".equals(pair.path("local").asText()) || "relay".equals(pair.path("remote").asText());
          connections++;
          w.connections++;
          if (relay) {
            relayed++;
            w.relayed++;
          }
          if (pair.has("rtt")) {
            w.rtt += pair.get("rtt").asDouble();
            w.rttSamples++;
          }
        }
        Map<String, Integer> seenKinds = new HashMap<>();
        for (JsonNode in : c.path("inbound")) {
          // A stream is the reporter's, on one connection, of one kind, from one participant; the
          // n-th of its kind only when the report does not say whose it is. Not its position in
          // the list: a stream that shows up ahead of another would take the other's counters.
          String who = in.path("from").asText("");
          String kind = in.path("kind").asText();
          String key = t.peer() + "|" + c.path("peer").asText() + "|" + kind + "|"
              + (who.isEmpty() ? "#" + seenKinds.merge(kind, 1, Integer::sum) : who);
          Seen now = new Seen(in.path("packetsReceived").asLong(), Math.max(0, in.path("packetsLost").asLong()),
              in.path("freezeCount").asLong(), in.path("framesDecoded").asLong());
          Seen before = streams.get(key);
          // A counter that went down belongs to a new stream (a reconnect): count from zero.
          if (before == null || now.received() < before.received()) {
            before = new Seen(0, 0, 0, 0);
          }
          w.received += now.received() - before.received();
          w.lost += Math.max(0, now.lost() - before.lost());
          w.freezes += Math.max(0, now.freezes() - before.freezes());
          streams.put(key, now);
          if (in.has("jitter")) {
            w.jitter += in.get("jitter").asDouble();
            w.jitterSamples++;
          }
        }
      }
    }
    List<Window> out = new ArrayList<>();
    long freezes = 0;
    for (var e : windows.entrySet()) {
      WindowSums w = e.getValue();
      double loss = w.received + w.lost == 0 ? Double.NaN : (double) w.lost / (w.received + w.lost);
      double jitterMs = w.jitterSamples == 0 ? Double.NaN : 1000 * w.jitter / w.jitterSamples;
      double rttMs = w.rttSamples == 0 ? Double.NaN : 1000 * w.rtt / w.rttSamples;
      out.add(new Window(start + e.getKey() * WINDOW_MS, w.reports, loss, jitterMs, rttMs, score(loss, jitterMs, rttMs),
          w.connections == 0 ? Double.NaN : (double) w.relayed / w.connections, w.freezes));
      freezes += w.freezes;
    }
    long frames = 0;
    for (var e : streams.entrySet()) {
      frames += e.getValue().frames();
    }
    double media = firstMedia.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    return new Call(reports.get(0).room(), start, end, participants, out,
        connections == 0 ? Double.NaN : (double) relayed / connections, freezes,
        reconnects.values().stream().mapToLong(Long::longValue).sum(), frames, media);
  }

  /** A mean opinion score (1 to 4.5) from loss (0..1), jitter and round-trip time (ms); NaN without inbound media. */
  public static double score(double loss, double jitterMs, double rttMs) {
    if (Double.isNaN(loss)) {
      return Double.NaN;
    }
    double latency = (Double.isNaN(rttMs) ? 0 : rttMs / 2) + 2 * (Double.isNaN(jitterMs) ? 0 : jitterMs) + 10;
    double r = latency < 160 ? 93.2 - latency / 40 : 93.2 - (latency - 120) / 10;
    r -= 2.5 * 100 * loss;
    if (r <= 0) {
      return 1;
    }
    r = Math.min(100, r);
    return Math.min(4.5, 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r));
  }
}
