package dev.tandem.gateway.docs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway counts about ops: submitted, acknowledged (committed or a duplicate of a
 * committed op), rejected by ShareDB error code, and the time from submit to ack as clients see it;
 * the document loads it asks of ot-service, the committed records it drops as not ot-service's,
 * and the ops it rebases from the log.
 */
public final class OpMeters {

  private final MeterRegistry registry;
  private final Counter submitted;
  private final Counter acked;
  private final Timer ackLatency;
  private final Counter loads;
  private final Counter foreign;
  private final Counter rebased;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

  public OpMeters(MeterRegistry registry) {
    this.registry = registry;
    submitted = Counter.builder("tandem.gateway.ops.submitted").description("ops sent to the log").register(registry);
    acked = Counter.builder("tandem.gateway.ops.acked").description("ops acknowledged to their author")
        .register(registry);
    ackLatency = Timer.builder("tandem.gateway.ack.latency").description("from an op's submit to its ack")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    loads = Counter.builder("tandem.gateway.docs.loads").description("document loads asked of ot-service")
        .register(registry);
    foreign = Counter.builder("tandem.gateway.records.foreign")
        .description("committed records dropped: past a version gap the snapshot just loaded does not explain")
        .register(registry);
    rebased = Counter.builder("tandem.gateway.ops.rebased")
        .description("ops based on a version ot-service no longer keeps, brought up to date from the log and sent again")
        .register(registry);
  }

  void rebased() {
    rebased.increment();
  }

  void loadRequested() {
    loads.increment();
  }

  void foreignRecord() {
    foreign.increment();
  }

  void submitted() {
    submitted.increment();
  }

  /** An ack for an op submitted at {@code submittedAtNanos} ({@link System#nanoTime()}), or 0 when unknown. */
  void acked(long submittedAtNanos) {
    acked.increment();
    if (submittedAtNanos != 0) {
      ackLatency.record(System.nanoTime() - submittedAtNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  void rejected(String code) {
    rejected.computeIfAbsent(code, c -> Counter.builder("tandem.gateway.ops.rejected").tag("code", c)
        .description("ops refused, by ShareDB error code").register(registry)).increment();
  }

}
