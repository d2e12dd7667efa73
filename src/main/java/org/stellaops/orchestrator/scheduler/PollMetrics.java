package org.stellaops.orchestrator.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.stellaops.orchestrator.integration.IntegrationType;

/**
 * Polling meters: waits in flight, cycle time, CI API calls by connector and outcome, rate-limit
 * pauses, detection delay, and the time from a CI event to the end of the wait it named.
 */
public final class PollMetrics {

  /** The outcomes of {@link #call}. */
  static final List<String> CALL_OUTCOMES =
      List.of("ok", "not_modified", "rate_limited", "unauthorized", "not_found", "rejected", "error");

  private final MeterRegistry registry;
  private final AtomicLong inFlight = new AtomicLong();
  private final Timer cycle;
  private final Timer detection;

  public PollMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("stella.ci.waits.inflight", inFlight, AtomicLong::get)
        .description("Pipeline waits not ended yet (sampled every 5 ticks)").register(registry);
    this.cycle = Timer.builder("stella.ci.poll.cycle")
        .description("Time to claim and dispatch the due waits of one tick")
        .publishPercentileHistogram()
        .register(registry);
    this.detection = Timer.builder("stella.ci.run.detection")
        .description("Time from a run finishing at the CI system to the poll that noticed it")
        .publishPercentileHistogram()
        .register(registry);
    // Every series an alert or dashboard watches exists at 0 from the start: increase() and rate()
    // see the first call, pause or failure, which a series born with the value 1 would hide.
    for (IntegrationType type : IntegrationType.values()) {
      if (type.isCi()) {
        CALL_OUTCOMES.forEach(outcome -> callCounter(type.wire(), outcome));
        pauseCounter(type.wire());
      }
    }
  }

  /** Vendor says the run finished → a poll (scheduled, or asked for by a CI event) noticed. */
  public void detected(java.time.Duration delay) {
    detection.record(delay.isNegative() ? java.time.Duration.ZERO : delay);
  }

  /**
   * A CI event said a run finished → the CI system confirmed it and the wait ended (by the poll
   * the event asked for). Only events the CI system confirmed are timed; a false claim ends nothing.
   */
  public void confirmedAfterEvent(java.time.Duration delay) {
    Timer.builder("stella.ci.run.event.confirmation")
        .description("Time from receiving a CI event that a run finished to the end of its wait, "
            + "confirmed by the CI system")
        .publishPercentileHistogram()
        .register(registry)
        .record(delay.isNegative() ? java.time.Duration.ZERO : delay);
  }

  public void waitsInFlight(long count) {
    inFlight.set(count);
  }

  public Timer cycle() {
    return cycle;
  }

  /** outcome: one of {@link #CALL_OUTCOMES}. */
  public void call(String connector, String outcome) {
    callCounter(connector, outcome).increment();
  }

  public void rateLimitPause(String connector) {
    pauseCounter(connector).increment();
  }

  private Counter callCounter(String connector, String outcome) {
    return Counter.builder("stella.ci.api.calls").tag("connector", connector).tag("outcome", outcome)
        .description("CI API calls made while polling").register(registry);
  }

  private Counter pauseCounter(String connector) {
    return Counter.builder("stella.ci.ratelimit.pauses").tag("connector", connector)
        .description("Times an integration was paused until its rate limit resets").register(registry);
  }
}
