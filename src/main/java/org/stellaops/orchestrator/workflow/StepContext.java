package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonObject;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.release.Release;

/**
 * What a step runs for: its promotion (as claimed, with the step marked running), the release
 * being promoted, the target environment, and the principal the step acts as towards CI.
 */
record StepContext(Promotion promotion, Release release, Environment environment, Principal actor) {

  /** {@code stepId.output} of an earlier step, or null. */
  Object output(String ref) {
    int dot = ref.indexOf('.');
    String stepId = ref.substring(0, dot);
    for (Object s : promotion.steps()) {
      JsonObject step = (JsonObject) s;
      if (stepId.equals(step.getString("id"))) {
        return step.getJsonObject("outputs", new JsonObject()).getValue(ref.substring(dot + 1));
      }
    }
    return null;
  }
}
