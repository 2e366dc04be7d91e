package dev.tandem.otservice;

import dev.tandem.ops.Telemetry;

import dev.tandem.otservice.kafka.OtLoop;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;

/**
 * Deploys ot-service: its Kafka loop runs on a thread of its own (every call there blocks),
 * never on the event loop. Undeploying stops the loop after its current transaction and writes
 * snapshots of what changed.
 */
public final class OtServiceVerticle extends VerticleBase {

  private final OtServiceConfig config;
  private OtLoop loop;
  private Thread thread;
  private Telemetry telemetry = Telemetry.detached();

  public OtServiceVerticle(OtServiceConfig config) {
    this.config = config;
  }

  /** Reports the loop's meters and its Kafka clients' to {@code t}. */
  public OtServiceVerticle withTelemetry(Telemetry t) {
    this.telemetry = t;
    return this;
  }

  /** The running loop, for health and metrics. */
  public OtLoop loop() {
    return loop;
  }

  /**
   * Whether ot-service makes progress serving, for {@code /health}: its loop is ready (every
   * partition it owns rebuilt) and finished a poll iteration within
   * {@link dev.tandem.otservice.kafka.LoopHealth#STALL}. False before the verticle starts, while
   * the loop starts, rebuilds or restarts its Kafka clients, when it is wedged, and after it
   * stopped, was fenced or its thread ended.
   */
  public boolean progressing() {
    OtLoop l = loop;
    return l != null && thread != null && thread.isAlive() && l.progressing();
  }

  /** Whether ot-service's loop works, serving or rebuilding: liveness, and what a start waits on. */
  public boolean alive() {
    OtLoop l = loop;
    return l != null && thread != null && thread.isAlive() && l.alive();
  }

  /**
   * Whether ot-service answers, for readiness: its loop has joined the group, rebuilt every
   * partition it owns and is processing ops. False before, during a rebuild and after it stops.
   */
  public boolean ready() {
    OtLoop l = loop;
    return l != null && thread != null && thread.isAlive() && l.ready();
  }

  @Override
  public Future<?> start() {
    loop = new OtLoop(config, telemetry);
    thread = new Thread(loop, "ot-service-" + config.instanceId());
    thread.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      loop.stop(Duration.ofSeconds(30));
      thread.join(5_000);
      return null;
    });
  }

  /** Stops the loop as a crash would: no final snapshots (for fault tests). */
  public void crash() {
    loop.halt();
  }
}
