package dev.tandem.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * One process's metrics: a Micrometer registry scraped in the Prometheus format, with the JVM's
 * meters, Vert.x's own (HTTP, WebSockets, event loops, worker pools) when Vert.x is built here,
 * the Kafka clients' when they are bound, and whatever the services register.
 */
public final class Telemetry {

  private final PrometheusMeterRegistry registry;
  /** Null for a detached registry: it holds no JVM binder that would need closing. */
  private final JvmGcMetrics gc;

  /** The process's meters: the JVM's bound here (GC, memory, threads, classes, CPU, uptime, descriptors). */
  public Telemetry() {
    this(true);
  }

  private Telemetry(boolean jvm) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    if (!jvm) {
      gc = null;
      return;
    }
    gc = new JvmGcMetrics();
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * A registry for a part started without the process's telemetry (tests, embedding): it takes
   * the part's meters and binds nothing of the JVM's, so making one and dropping it costs nothing
   * and leaves no listener behind.
   */
  public static Telemetry detached() {
    return new Telemetry(false);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A Vert.x instance whose HTTP, WebSocket, event-bus and pool metrics go to this registry. */
  public Vertx vertx(VertxOptions options) {
    // Vert.x keeps backends by registry name, process-wide: a name of its own per registry, or a
    // second Vert.x in the JVM (tests, embedding) would report to the first one's registry.
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)
        .setRegistryName("tandem-" + java.util.UUID.randomUUID());
    return Vertx.builder().with(options.setMetricsOptions(metrics)).withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /** A Kafka client's metrics reported here; closing it stops that (and throws nothing). */
  public interface Binding extends AutoCloseable {
    @Override
    void close();
  }

  /** Reports a Kafka producer's own metrics here until the returned binding is closed. */
  public Binding bind(Producer<?, ?> producer) {
    KafkaClientMetrics m = new KafkaClientMetrics(producer);
    m.bindTo(registry);
    return m::close;
  }

  /** Reports a Kafka consumer's own metrics here until the returned binding is closed. */
  public Binding bind(Consumer<?, ?> consumer) {
    KafkaClientMetrics m = new KafkaClientMetrics(consumer);
    m.bindTo(registry);
    return m::close;
  }

  /** {@code GET /metrics}: the Prometheus text format. */
  public Handler<RoutingContext> scrapeHandler() {
    return PrometheusScrapingHandler.create(registry);
  }

  /** The scrape as text, for tests and logs. */
  public String scrape() {
    return registry.scrape();
  }

  public void close() {
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }
}
