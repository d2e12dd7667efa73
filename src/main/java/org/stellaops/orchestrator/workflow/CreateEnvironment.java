package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Create an environment: its names, place in the promotion order and URL, the rules promotions into it
 * follow, and the workflow they run (checked, and its header values sealed, by {@link EnvironmentService}).
 */
public record CreateEnvironment(String name, String displayName, int orderIndex, String url, PromotionRules rules,
    JsonArray workflow) {

  /** Approvals needed, automatic promotion after a deployment to {@code autoPromoteFrom}, freezes, the time limit. */
  public record PromotionRules(int requiredApprovals, boolean autoPromote, UUID autoPromoteFrom,
      JsonArray freezeWindows, int deploymentTimeout) {}

  /** The body of {@code POST /api/v1/environments}; every bad field is reported in one 400. */
  public static CreateEnvironment parse(JsonObject body) {
    Validator v = new Validator(body);
    v.requiredString("name", 64);
    EnvironmentPatch fields = EnvironmentPatch.read(v);
    v.throwIfInvalid();
    Environment defaults = new Environment(null, null, null, 0, null, 0, false, null, new JsonArray(), 3600,
        new JsonArray(), null, null, null);
    Environment e = EnvironmentService.apply(defaults, fields);
    return new CreateEnvironment(e.name(), e.displayName(), e.orderIndex(), e.url(), new PromotionRules(
        e.requiredApprovals(), e.autoPromote(), e.autoPromoteFrom(), e.freezeWindows(), e.deploymentTimeout()),
        e.workflow());
  }
}
