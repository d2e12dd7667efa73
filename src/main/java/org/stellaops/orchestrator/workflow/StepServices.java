package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import org.stellaops.orchestrator.ci.PipelineRunService;

/**
 * What step executors use, built once by the {@link PromotionEngine}. {@code results} records a
 * result that arrives after a step parked its promotion (an approval, a deploy target's
 * callback) exactly as a result returned by {@code execute} is recorded. {@code publicUrl}: the
 * gateway's address as deploy targets reach it, without a trailing slash.
 */
record StepServices(PromotionRepository promotions, PipelineRunService pipelineRuns, WebClient http,
    StepSecrets secrets, String publicUrl, Results results) {

  /** Records a step's result on the promotion and moves it on, parks it or ends it. */
  interface Results {
    Future<Void> apply(Promotion p, StepResult result);
  }
}
