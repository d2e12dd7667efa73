package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonObject;

/**
 * What running (or resuming) a step produced. {@link PromotionEngine#apply} is the one place
 * that turns it into the promotion's next state: {@link Done} moves on to the next step (or
 * ends the promotion as deployed after the last), {@link Waiting} parks the promotion, and
 * {@link Failed} ends it.
 */
sealed interface StepResult {

  /**
   * The step succeeded; {@code outputs} are merged into what it had produced before, and the
   * promotion has status {@code between} until the next step starts.
   */
  record Done(JsonObject outputs, PromotionStatus between) implements StepResult {}

  /** The step waits on {@code on} (a {@link WaitingOn} key); {@code outputs} are kept meanwhile. */
  record Waiting(String on, JsonObject outputs) implements StepResult {}

  /**
   * The step failed with {@code error}, and the promotion with it. {@code details} (may be null)
   * are kept on the step, {@code outputs} merged into its outputs.
   */
  record Failed(String error, JsonObject details, JsonObject outputs, Cause cause) implements StepResult {}

  /** Why a step failed, which decides how its promotion ends and what its status reports say. */
  enum Cause {
    /** The step's work failed (a deploy target or a pipeline said so): the promotion failed. */
    STEP,
    /** The gateway could not carry the step out (its CI refused or was unreachable, a replica stopped, a bug). */
    GATEWAY,
    /** An approver turned the promotion down: it ends as rejected. */
    REJECTED
  }

  static StepResult done(JsonObject outputs) {
    return new Done(outputs, PromotionStatus.DEPLOYING);
  }

  static StepResult waiting(String on, JsonObject outputs) {
    return new Waiting(on, outputs);
  }

  static StepResult failed(String error, JsonObject details) {
    return new Failed(error, details, new JsonObject(), Cause.STEP);
  }

  static StepResult error(String error, JsonObject details) {
    return new Failed(error, details, new JsonObject(), Cause.GATEWAY);
  }
}
