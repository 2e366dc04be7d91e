package dev.tandem.presence;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;

/** Deploys presence-service: its Kafka loop runs on a thread of its own, never on the event loop. */
public final class PresenceServiceVerticle extends VerticleBase {

  private final PresenceConfig config;
  private PresenceLoop loop;
  private Thread thread;

  public PresenceServiceVerticle(PresenceConfig config) {
    this.config = config;
  }

  public PresenceLoop loop() {
    return loop;
  }

  @Override
  public Future<?> start() {
    loop = new PresenceLoop(config);
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
