package dev.tandem.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Liveness and readiness, as Kubernetes asks them. {@code /health/live} is 503 only when the
 * process should be restarted: a loop that has stopped making progress. {@code /health/ready} is
 * 503 while it should get no traffic: not live, still rebuilding, or draining. {@code /health}
 * answers as readiness does. The JSON (one entry per check) is vertx-health-check's.
 */
public final class Probes {

  private final Map<String, BooleanSupplier> live = new ConcurrentHashMap<>();
  private final Map<String, BooleanSupplier> ready = new ConcurrentHashMap<>();
  private final List<HealthChecks[]> mounted = new CopyOnWriteArrayList<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  public Probes() {
    ready.put("accepting", () -> !draining.get());
  }

  /** A part of the process that must keep making progress: both probes require it. */
  public Probes liveness(String name, BooleanSupplier progressing) {
    live.put(name, progressing);
    ready.put(name, progressing);
    for (HealthChecks[] m : mounted) {
      register(m[0], name, progressing);
      register(m[1], name, progressing);
    }
    return this;
  }

  /** A condition for traffic only, such as "every owned partition is rebuilt". */
  public Probes readiness(String name, BooleanSupplier ok) {
    ready.put(name, ok);
    for (HealthChecks[] m : mounted) {
      register(m[1], name, ok);
    }
    return this;
  }

  /** From now on readiness is 503: the process is draining and should get no new traffic. */
  public void drain() {
    draining.set(true);
  }

  /** Serves {@code /health/live}, {@code /health/ready} and {@code /health} on {@code router}. */
  public void mount(Vertx vertx, Router router) {
    HealthChecks liveChecks = HealthChecks.create(vertx);
    HealthChecks readyChecks = HealthChecks.create(vertx);
    // A check registered between these loops and the add below is registered by its own call.
    mounted.add(new HealthChecks[] {liveChecks, readyChecks});
    live.forEach((name, check) -> register(liveChecks, name, check));
    ready.forEach((name, check) -> register(readyChecks, name, check));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveChecks));
    HealthCheckHandler readiness = HealthCheckHandler.createWithHealthChecks(readyChecks);
    router.get("/health/ready").handler(readiness);
    router.get("/health").handler(readiness);
  }

  private static void register(HealthChecks checks, String name, BooleanSupplier check) {
    checks.unregister(name);
    checks.register(name, p -> {
      boolean ok;
      try {
        ok = check.getAsBoolean();
      } catch (RuntimeException e) {
        p.complete(Status.KO(new JsonObject().put("error", e.toString())));
        return;
      }
      p.complete(ok ? Status.OK() : Status.KO());
    });
  }
}
