package dev.tandem.presence;

import dev.tandem.ops.Telemetry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;

/** Deploys presence-service: its Kafka loop runs on a thread of its own, never on the event loop. */
public final class PresenceServiceVerticle extends VerticleBase {

  private final PresenceConfig config;
  private PresenceLoop loop;
  private Thread thread;
  private Telemetry telemetry = Telemetry.detached();

  public PresenceServiceVerticle(PresenceConfig config) {
    this.config = config;
  }

  /** Reports presence-service's rates to {@code t}. */
  public PresenceServiceVerticle withTelemetry(Telemetry t) {
    this.telemetry = t;
    return this;
  }

  /** Whether the loop is running and making progress: liveness. */
  public boolean progressing() {
    PresenceLoop l = loop;
    return l != null && l.progressing();
  }

  public PresenceLoop loop() {
    return loop;
  }

  @Override
  public Future<?> start() {
    loop = new PresenceLoop(config, telemetry);
    MeterRegistry r = telemetry.registry();
    FunctionCounter.builder("tandem.presence.expired", loop, PresenceLoop::expiredCount)
        .description("presence entries expired with their client or gateway").register(r);
    FunctionCounter.builder("tandem.presence.syncs", loop, PresenceLoop::syncCount).register(r);
    FunctionCounter.builder("tandem.presence.records.skipped", loop, PresenceLoop::skippedCount).register(r);
    FunctionCounter.builder("tandem.presence.client.restarts", loop, PresenceLoop::restartCount).register(r);
    Gauge.builder("tandem.presence.entries", loop, PresenceLoop::entryCount).register(r);
    thread = new Thread(loop, "presence-service-" + config.instanceId());
    thread.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      loop.stop(Duration.ofSeconds(10));
      thread.join(5_000);
      return null;
    });
  }
}
