package dev.tandem.standalone.cli;

import dev.tandem.ops.Probes;
import dev.tandem.ops.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One started service: its port, probes and meters, and how it drains and stops. */
public final class Service implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Service.class);

  private final String name;
  private final Probes probes;
  private final Telemetry telemetry;
  private final IntSupplier port;
  private final Function<Duration, Future<?>> drain;
  private final Runnable stop;
  private final Duration drainTime;

  Service(String name, Probes probes, Telemetry telemetry, IntSupplier port, Function<Duration, Future<?>> drain,
      Runnable stop, Duration drainTime) {
    this.drainTime = drainTime;
    this.name = name;
    this.probes = probes;
    this.telemetry = telemetry;
    this.port = port;
    this.drain = drain;
    this.stop = stop;
  }

  /** A service that is one Vert.x instance: stopping it closes that. */
  static Service of(String name, Vertx vertx, Probes probes, Telemetry telemetry, IntSupplier port,
      Function<Duration, Future<?>> drain, Duration drainTime) {
    return new Service(name, probes, telemetry, port, drain, () -> {
      try {
        vertx.close().await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("{}: stopping: {}", name, e.toString());
      }
    }, drainTime);
  }

  /** How long its drain spreads the closing of client sockets over ({@code TANDEM_DRAIN_MS}). */
  public Duration drainTime() {
    return drainTime;
  }

  public String name() {
    return name;
  }

  /** The HTTP port it serves (probes, metrics, and clients for gateway and signaling). */
  public int port() {
    return port.getAsInt();
  }

  /** Readiness 503 at once, the service's own drain over {@code spread}, then {@link #close}. */
  public void drainAndClose(Duration spread) {
    LOG.info("{} drains (readiness is 503), then stops", name);
    probes.drain();
    try {
      drain.apply(spread).await(spread.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("{}: the drain did not finish: {}", name, e.toString());
    }
    close();
  }

  /** Stops every verticle (ot-service finishes its transaction, writes snapshots, leaves its group). */
  @Override
  public void close() {
    stop.run();
    telemetry.close();
    LOG.info("{} stopped", name);
  }
}
