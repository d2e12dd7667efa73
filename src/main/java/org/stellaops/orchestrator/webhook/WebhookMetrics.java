package org.stellaops.orchestrator.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook meters: deliveries by integration type and outcome (accepted, duplicate, ignored,
 * rejected_auth, rejected_size, rejected_parse), ingest latency, inbox lag, processed deliveries
 * by outcome and processing failures.
 */
public final class WebhookMetrics {

  private final MeterRegistry registry;
  private final Timer ingestLatency;
  private final Counter processingFailures;
  private final Counter processed;
  private final Counter ignored;
  private final AtomicLong lagMillis = new AtomicLong();
  private final java.util.Map<String, Counter> deliveries = new java.util.concurrent.ConcurrentHashMap<>();

  public WebhookMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.ingestLatency = Timer.builder("stella.webhook.ingest")
        .description("Time from request to acknowledged (stored) webhook delivery")
        .publishPercentileHistogram()
        .register(registry);
    this.processingFailures = Counter.builder("stella.webhook.processing.failures")
        .description("Delivery processing attempts that failed (they are retried with backoff)")
        .register(registry);
    Gauge.builder("stella.webhook.inbox.lag.seconds", lagMillis, v -> v.get() / 1000.0)
        .description("Age of the oldest delivery acknowledged but not processed yet")
        .register(registry);
    this.processed = Counter.builder("stella.webhook.processed").tag("outcome", Delivery.PROCESSED)
        .description("Deliveries the inbox processor finished, by outcome").register(registry);
    this.ignored = Counter.builder("stella.webhook.processed").tag("outcome", Delivery.IGNORED)
        .description("Deliveries the inbox processor finished, by outcome").register(registry);
  }

  /** A delivery's recorded outcome: {@code processed} (it acted) or {@code ignored}. */
  public void finished(String outcome) {
    (Delivery.PROCESSED.equals(outcome) ? processed : ignored).increment();
  }

  /** Counters are looked up once per (type, outcome): this runs for every webhook. */
  public void delivery(String integrationType, String outcome) {
    deliveries.computeIfAbsent(integrationType + "\n" + outcome, k -> Counter.builder("stella.webhook.deliveries")
        .description("Webhook deliveries by integration type and outcome")
        .tag("integration_type", integrationType)
        .tag("outcome", outcome)
        .register(registry)).increment();
  }

  public void ingested(long startNanos) {
    ingestLatency.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void processingFailed() {
    processingFailures.increment();
  }

  public void inboxLag(double seconds) {
    lagMillis.set((long) (seconds * 1000));
  }
}
