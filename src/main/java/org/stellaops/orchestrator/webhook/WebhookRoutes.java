package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Webhook endpoints of one HTTP verticle; deliveries go to the process's one {@link InboxWriter}.
 * A delivery is answered {@code 202 {deliveryId, duplicate}} only after its row is committed;
 * processing happens afterwards, from the inbox.
 */
public final class WebhookRoutes {

  /** Local event-bus address that wakes the inbox processor after a commit. */
  public static final String WAKE_PROCESSOR = "stella.inbox.wakeup";
  private static final Set<String> CI_STATUS_WORDS = Set.of("success", "succeeded", "passed", "failed", "failure",
      "error", "cancelled", "canceled", "aborted", "running", "pending", "started", "unstable");

  private final WebhookIngest ingest;
  private final InboxWriter writer;

  public WebhookRoutes(WebhookIngest ingest, InboxWriter writer) {
    this.ingest = ingest;
    this.writer = writer;
  }

  public void registry(RoutingContext ctx) {
    vendor(ctx, WebhookIngest.Endpoint.REGISTRY);
  }

  public void ci(RoutingContext ctx) {
    vendor(ctx, WebhookIngest.Endpoint.CI);
  }

  private void vendor(RoutingContext ctx, WebhookIngest.Endpoint endpoint) {
    long started = System.nanoTime();
    ingest.vendorDelivery(endpoint, ctx.pathParam("integrationId"), ctx.request().headers(),
            ctx.queryParams().get("secret"), ctx.body().buffer())
        .compose(delivery -> store(ctx, delivery, started))
        .onFailure(ctx::fail);
  }

  /** {@code POST /ci-events/build-complete}: a CI build's generic completion body. */
  public void buildComplete(RoutingContext ctx) {
    api(ctx, true);
  }

  /** {@code POST /webhooks/ci-status}: the status a Jenkinsfile posts after a build. */
  public void ciStatus(RoutingContext ctx) {
    api(ctx, false);
  }

  private void api(RoutingContext ctx, boolean buildComplete) {
    long started = System.nanoTime();
    JsonObject body = Bodies.jsonObject(ctx);
    Validator v = new Validator(body);
    if (!(body.getValue("buildId") instanceof String || body.getValue("buildId") instanceof Number)) {
      v.error("buildId", "is required (string or number)", "REQUIRED");
    }
    String status = v.requiredString("status", 32);
    if (status != null && !CI_STATUS_WORDS.contains(status.toLowerCase())) {
      v.error("status", "must be one of " + CI_STATUS_WORDS, "INVALID_VALUE");
    }
    v.optionalString("commit", 64);
    UUID integrationId = buildComplete ? v.optionalUuid("integrationId") : null;
    if (buildComplete) {
      v.optionalArray("artifacts");
    }
    v.throwIfInvalid();
    Principal caller = Guard.principal(ctx);
    String source = integrationId != null ? integrationId.toString() : "api:" + caller.kind() + ":" + caller.id();
    NewDelivery delivery = ingest.apiDelivery(source, integrationId, ctx.request().headers(), body,
        ctx.body().buffer().getBytes());
    store(ctx, delivery, started).onFailure(ctx::fail);
  }

  private Future<Void> store(RoutingContext ctx, NewDelivery delivery, long started) {
    return writer.submit(delivery).compose(stored -> {
      ingest.metrics().ingested(started);
      ingest.metrics().delivery(delivery.integrationType(), stored.duplicate() ? "duplicate"
          : Delivery.IGNORED.equals(delivery.status()) ? "ignored" : "accepted");
      return Responses.send(ctx, 202, Responses.envelope(ctx, new JsonObject()
          .put("deliveryId", stored.id().toString())
          .put("duplicate", stored.duplicate())
          .put("status", stored.duplicate() ? null : delivery.status())));
    });
  }

  /** Counts bodies refused for size (the body handler answers 413 before any webhook code runs). */
  public static void countOversize(RoutingContext ctx, WebhookMetrics metrics) {
    if (ctx.statusCode() == 413) {
      metrics.delivery("unknown", "rejected_size");
    }
    ctx.next();
  }

}
