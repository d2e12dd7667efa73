package org.stellaops.orchestrator.workflow;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.reporting.StatusReports;

/**
 * Ends promotions: the promotion, its deployment job, their completion events and final status
 * reports commit together; the event-bus messages (auto-promotion) follow the commit. Counts
 * stella_promotions_total by end state.
 */
final class PromotionEnds {

  /** The states a promotion ends in through {@link #finish}. */
  static final List<PromotionStatus> OUTCOMES = List.of(PromotionStatus.DEPLOYED, PromotionStatus.FAILED,
      PromotionStatus.REJECTED, PromotionStatus.CANCELLED);

  private final PromotionRepository promotions;
  private final StatusReports reports;
  private final EventBus eventBus;
  private final EventOutbox outbox;
  private final Map<PromotionStatus, Counter> ended = new EnumMap<>(PromotionStatus.class);

  PromotionEnds(PromotionRepository promotions, StatusReports reports, EventBus eventBus, EventOutbox outbox,
      MeterRegistry registry) {
    this.promotions = promotions;
    this.reports = reports;
    this.eventBus = eventBus;
    this.outbox = outbox;
    // One series per end state from the start, at 0, so increase() sees the first failure.
    for (PromotionStatus outcome : OUTCOMES) {
      ended.put(outcome, Counter.builder("stella.promotions").tag("outcome", outcome.wire())
          .description("Promotions ended, by outcome").register(registry));
    }
  }

  /**
   * Ends {@code p} as {@code status}, unless someone moved it since it was read.
   * {@code gatewayError}: the promotion failed because the gateway could not run a step, not
   * because a deploy failed.
   */
  Future<Void> finish(Promotion p, PromotionStatus status, String error, boolean gatewayError) {
    String jobStatus = jobStatus(status);
    String phase = reportPhase(jobStatus, gatewayError);
    return reports.targets(p.releaseId()).compose(targets -> promotions.finish(p, status.wire(), error, jobStatus,
            (conn, done) -> outbox.enqueue(conn, completedEvents(done, status, error, jobStatus))
                .compose(v -> reports.enqueue(conn, p.deploymentJobId(), targets, phase))))
        .onSuccess(done -> done.ifPresent(d -> {
          ended.get(status).increment();
          completedEvents(d, status, error, jobStatus).forEach(e -> eventBus.publish(e.address(), e.data()));
        }))
        .mapEmpty();
  }

  /** The deployment job's status when its promotion ends as {@code status}. Pure. */
  static String jobStatus(PromotionStatus status) {
    return switch (status) {
      case DEPLOYED -> "succeeded";
      case CANCELLED, REJECTED -> "cancelled";
      default -> "failed";
    };
  }

  /** The status-report phase of a job that ended as {@code jobStatus}. Pure. */
  static String reportPhase(String jobStatus, boolean gatewayError) {
    return switch (jobStatus) {
      case "succeeded" -> "success";
      case "cancelled" -> "cancelled";
      default -> gatewayError ? "error" : "failure";
    };
  }

  private static List<EventOutbox.Event> completedEvents(Promotion p, PromotionStatus status, String error,
      String jobStatus) {
    JsonObject event = p.eventIds().put("status", status.wire()).put("error", error);
    return List.of(new EventOutbox.Event(Events.PROMOTION_COMPLETED, event),
        new EventOutbox.Event(Events.DEPLOYMENT_COMPLETED, event.copy().put("deploymentStatus", jobStatus)));
  }
}
