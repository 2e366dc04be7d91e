package dev.tandem.history.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.history.Calls.Call;
import dev.tandem.history.Calls.Window;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** How {@code calls} prints: one line per call (a table, jsonl or csv), or per window of a room's calls. */
final class CallLines {

  private CallLines() {}

  static void print(List<Call> calls, String format, boolean windows, PrintWriter out) {
    if (format.equals("table")) {
      out.printf(Locale.ROOT, "%-24s %-24s %9s %5s %6s %6s %6s %8s %10s %10s%n", "ROOM", "START", "DURATION", "PEERS",
          "SCORE", "MIN", "RELAY", "FREEZES", "RECONNECTS", "FRAMES");
      for (Call c : calls) {
        out.printf(Locale.ROOT, "%-24s %-24s %8.1fs %5d %6.2f %6.2f %6.2f %8d %10d %10d%n", c.room(),
            Instant.ofEpochMilli(c.start()), c.durationMs() / 1000.0, c.participants().size(), c.meanScore(),
            c.minScore(), c.relayShare(), c.freezes(), c.reconnects(), c.framesDecoded());
      }
      return;
    }
    if (format.equals("csv")) {
      out.println(windows ? "room,call_start,window_start,reports,loss,jitter_ms,rtt_ms,score,relay_share,freezes"
          : "room,start,duration_s,participants,score,min_score,relay_share,freezes,reconnects,frames_decoded,first_media_ms");
    }
    for (Call c : calls) {
      if (windows) {
        for (Window w : c.windows()) {
          ObjectNode o = HistoryCli.JSON.createObjectNode();
          o.put("room", c.room());
          o.put("callStart", Instant.ofEpochMilli(c.start()).toString());
          o.put("windowStart", Instant.ofEpochMilli(w.start()).toString());
          o.put("reports", w.reports());
          number(o, "loss", w.loss());
          number(o, "jitterMs", w.jitterMs());
          number(o, "rttMs", w.rttMs());
          number(o, "score", w.score());
          number(o, "relayShare", w.relayShare());
          o.put("freezes", w.freezes());
          out.println(format.equals("csv") ? csv(o) : o.toString());
        }
        continue;
      }
      ObjectNode o = HistoryCli.JSON.createObjectNode();
      o.put("room", c.room());
      o.put("start", Instant.ofEpochMilli(c.start()).toString());
      o.put("durationS", c.durationMs() / 1000.0);
      ObjectNode who = o.putObject("participants");
      c.participants().forEach(who::put);
      number(o, "score", c.meanScore());
      number(o, "minScore", c.minScore());
      number(o, "relayShare", c.relayShare());
      o.put("freezes", c.freezes());
      o.put("reconnects", c.reconnects());
      o.put("framesDecoded", c.framesDecoded());
      number(o, "firstMediaMs", c.firstMediaMs());
      if (format.equals("csv")) {
        o.put("participants", c.participants().size());
      }
      out.println(format.equals("csv") ? csv(o) : o.toString());
    }
  }

  private static void number(ObjectNode o, String field, double v) {
    if (Double.isNaN(v)) {
      o.putNull(field);
    } else {
      o.put(field, Math.round(v * 10000) / 10000.0);
    }
  }

  private static String csv(ObjectNode o) {
    StringBuilder b = new StringBuilder();
    o.fields().forEachRemaining(e -> {
      if (b.length() > 0) {
        b.append(',');
      }
      String v = e.getValue().isNull() ? "" : e.getValue().asText();
      b.append(v.contains(",") || v.contains("\"") ? OpLines.quote(v) : v);
    });
    return b.toString();
  }
}
