package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;

/**
 * The approval step: parks the promotion until enough principals other than its requester
 * approve it ({@code config.requiredApprovals}, else the environment's), or one rejects it. A
 * step needing no approval is done at once.
 */
final class ApprovalStep implements StepExecutor {

  private final StepServices services;

  ApprovalStep(StepServices services) {
    this.services = services;
  }

  @Override
  public Future<StepResult> execute(ParsedStep step, StepContext context) {
    Promotion p = context.promotion();
    return Future.succeededFuture(required(step, p) <= 0
        ? StepResult.done(new JsonObject().put("approvers", new JsonArray()))
        : StepResult.waiting(WaitingOn.APPROVAL.key(p.id()), new JsonObject()));
  }

  private static int required(ParsedStep step, Promotion p) {
    return step.config().getInteger("requiredApprovals", p.requiredApprovals());
  }

  /**
   * {@code POST /promotions/{id}/approve|reject}: one decision per principal; enough distinct
   * approvals other than the requester's move on. The requester may reject (withdraw) the
   * promotion but never approve it. Answers the promotion as it is afterwards.
   */
  Future<Promotion> decide(String id, boolean approve, String comment, Principal caller) {
    UUID uuid = Ids.uuidOr404(id, "promotion");
    PromotionRepository promotions = services.promotions();
    return promotions.find(uuid).map(found -> found.orElseThrow(() -> ApiException.notFound("promotion " + id)))
        .compose(p -> {
          if (approve && FourEyes.isRequester(p, caller)) {
            throw ApiException.of(403, "SELF_APPROVAL", "promotion " + id + " was requested by " + p.requestedBy()
                + ", who cannot approve it: another principal with promotion:approve must (four-eyes rule)");
          }
          if (!WaitingOn.APPROVAL.key(uuid).equals(p.waitingOn())) {
            throw ApiException.conflict("promotion " + id + " is not waiting for approval (status " + p.status() + ")");
          }
          return promotions.decide(uuid, caller.actor(), FourEyes.principalId(caller),
                  approve ? "approved" : "rejected", comment)
              .compose(v -> approve ? tally(p) : services.results().apply(p, new StepResult.Failed(
                  "rejected by " + caller.actor(), null, new JsonObject(), StepResult.Cause.REJECTED)))
              .compose(v -> promotions.find(uuid))
              .map(found -> found.orElseThrow(() -> ApiException.notFound("promotion " + id)));
        });
  }

  /** Moves the promotion on once it has enough approvals; also run when it starts to wait, for any already given. */
  Future<Void> tally(Promotion p) {
    int required = required(ParsedStep.of(p.current()), p);
    return services.promotions().approvers(p.id()).compose(approvers -> approvers.size() < required
        ? Future.succeededFuture()
        : services.results().apply(p, new StepResult.Done(new JsonObject().put("approvers", new JsonArray(approvers)),
            PromotionStatus.APPROVED)));
  }
}
