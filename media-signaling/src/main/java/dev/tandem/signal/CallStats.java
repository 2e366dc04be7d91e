package dev.tandem.signal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.schemas.SchemaCatalog;
import dev.tandem.schemas.TelemetryRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Call-quality reports from clients ({@code {"type":"stats"}}, schemas/signaling/stats.json):
 * checked against their schema, stamped with room, peer and user, written to
 * {@code tandem.telemetry} (key: the room), and summarised on {@code /metrics}: round-trip time,
 * jitter and inbound loss per report, connections sampled by whether they go through a TURN
 * relay, freezes.
 */
final class CallStats {

  /** Clients report every 10 s; faster than this is refused. */
  static final long MIN_INTERVAL_MS = 2_000;

  private final String instance;
  private final Consumer<TelemetryRecord> out;
  private final Counter reports;
  private final Counter relayed;
  private final Counter direct;
  private final DistributionSummary rtt;
  private final DistributionSummary jitter;
  private final DistributionSummary loss;

  CallStats(String instance, MeterRegistry registry, Consumer<TelemetryRecord> out) {
    this.instance = instance;
    this.out = out;
    reports = Counter.builder("tandem.call.stats.reports").description("call-quality reports taken").register(registry);
    relayed = Counter.builder("tandem.call.connections.sampled").tag("relay", "true")
        .description("peer connections in reports, by whether their selected candidate pair is a TURN relay")
        .register(registry);
    direct = Counter.builder("tandem.call.connections.sampled").tag("relay", "false").register(registry);
    rtt = DistributionSummary.builder("tandem.call.rtt").baseUnit("seconds")
        .description("round-trip time of a reported connection's selected pair").publishPercentiles(0.5, 0.95)
        .register(registry);
    jitter = DistributionSummary.builder("tandem.call.jitter").baseUnit("seconds")
        .description("jitter of a reported inbound stream").publishPercentiles(0.5, 0.95).register(registry);
    loss = DistributionSummary.builder("tandem.call.inbound.loss").baseUnit("ratio")
        .description("packets lost over packets expected of a reported inbound stream, since it began")
        .publishPercentiles(0.5, 0.95).register(registry);
  }

  /** What is wrong with a report (the schema's first complaints), empty when it is well formed. */
  Optional<String> problems(ObjectNode report) {
    List<String> wrong = SchemaCatalog.validate("signaling/stats.json", report);
    if (wrong.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("stats report refused: " + String.join("; ", wrong.subList(0, Math.min(3, wrong.size()))));
  }

  /** Writes a well-formed report of {@code peer} in {@code room}. */
  void record(String room, String peer, String user, ObjectNode report, long now) {
    ObjectNode stats = report.deepCopy();
    stats.remove("type");
    stats.remove("room");
    out.accept(new TelemetryRecord(1, TelemetryRecord.STATS, room, peer, user, instance, now, stats));
    reports.increment();
    for (JsonNode c : stats.path("connections")) {
      JsonNode pair = c.get("pair");
      if (pair != null) {
        boolean relay = "relay".equals(pair.path("local").asText()) || "relay".equals(pair.path("remote").asText());
        (relay ? relayed : direct).increment();
        if (pair.has("rtt")) {
          rtt.record(pair.get("rtt").asDouble());
        }
      }
      for (JsonNode in : c.path("inbound")) {
        if (in.has("jitter")) {
          jitter.record(in.get("jitter").asDouble());
        }
        long received = in.path("packetsReceived").asLong();
        long lost = Math.max(0, in.path("packetsLost").asLong());
        if (received + lost > 0) {
          loss.record((double) lost / (received + lost));
        }
      }
    }
  }
}
