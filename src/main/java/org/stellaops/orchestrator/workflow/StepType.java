package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The workflow step types: each one's name in a workflow, its executor, how long its own
 * request may take (for {@link PromotionEngine#stranded}) and the promotion's status while it
 * runs. A new type is a constant here, its executor class and its checks in {@link WorkflowValidator}.
 */
enum StepType {
  // The CI steps' requests time out after seconds; 10 minutes is far beyond them.
  TRIGGER_CI("trigger-ci", TriggerCiStep::new, config -> 600),
  WAIT_CI("wait-ci", WaitCiStep::new, config -> 600),
  DEPLOY("deploy", DeployStep::new, config -> config.getInteger("timeout", DeployStep.DEFAULT_TIMEOUT_SECONDS)),
  APPROVAL("approval", ApprovalStep::new, config -> 600),
  HTTP("http", HttpStep::new, config -> config.getInteger("timeout", HttpStep.DEFAULT_TIMEOUT_SECONDS));

  private final String wire;
  private final Function<StepServices, StepExecutor> executor;
  private final ToIntFunction<JsonObject> requestSeconds;

  StepType(String wire, Function<StepServices, StepExecutor> executor, ToIntFunction<JsonObject> requestSeconds) {
    this.wire = wire;
    this.executor = executor;
    this.requestSeconds = requestSeconds;
  }

  /** The name a workflow gives this type ({@code "type": "trigger-ci"}). */
  String wire() {
    return wire;
  }

  /** The longest this type's own request may take with {@code config}, in seconds. */
  int requestSeconds(JsonObject config) {
    return requestSeconds.applyAsInt(config);
  }

  /** The promotion's status while a step of this type runs or waits. */
  PromotionStatus runningStatus() {
    return this == APPROVAL ? PromotionStatus.AWAITING_APPROVAL : PromotionStatus.DEPLOYING;
  }

  /** The type a workflow names, or null for a name this gateway does not know. */
  static StepType of(String wire) {
    for (StepType t : values()) {
      if (t.wire.equals(wire)) {
        return t;
      }
    }
    return null;
  }

  /** One executor per type. */
  static Map<StepType, StepExecutor> executors(StepServices services) {
    Map<StepType, StepExecutor> all = new EnumMap<>(StepType.class);
    for (StepType t : values()) {
      all.put(t, t.executor.apply(services));
    }
    return all;
  }
}
