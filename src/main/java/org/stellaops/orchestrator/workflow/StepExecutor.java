package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;

/**
 * Runs one type of workflow step. {@code execute} carries out the step's request and says what
 * came of it ({@link StepResult}); it never changes the promotion itself: the engine records the
 * result under the promotion's version. A failed future is taken as the gateway failing to run
 * the step ({@link StepResult.Cause#GATEWAY}).
 */
interface StepExecutor {

  Future<StepResult> execute(ParsedStep step, StepContext context);
}
