package org.stellaops.orchestrator.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * The process's one Prometheus registry: Vert.x HTTP server metrics labelled by route and
 * status, pool metrics, JVM metrics, and the gateway's business counters.
 */
public final class Metrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Counter releasesCreated;

  public Metrics() {
    registry.config().meterFilter(PrometheusNames.FILTER);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    PrometheusNames.bindProcessCpuSeconds(registry);
    new UptimeMetrics().bindTo(registry);
    releasesCreated = Counter.builder("stella.releases")
        .description("Releases created, through the API or automatically")
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Exposed as stella_releases_total. */
  public Counter releasesCreated() {
    return releasesCreated;
  }

  /** Vert.x metrics options: HTTP server and client by route/method/status, pools, event bus. */
  public MicrometerMetricsOptions vertxOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME)
        // One series per remote address would grow without bound under webhook traffic.
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        // The database pool and the web client would both register the same unlabelled gauges.
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
