package org.stellaops.orchestrator.workflow;

/**
 * What a parked promotion waits for, stored in {@code promotion.waiting_on} as
 * {@code <prefix><id>}: a pipeline run's gateway id, the promotion's own id for its approvals,
 * or the deployment job's id for a deploy target's callback.
 */
enum WaitingOn {
  RUN("run:"), APPROVAL("approval:"), DEPLOY("deploy:");

  private final String prefix;

  WaitingOn(String prefix) {
    this.prefix = prefix;
  }

  /** The stored key for waiting on {@code id}. */
  String key(Object id) {
    return prefix + id;
  }

  /** The id in {@code waitingOn} when it is a key of this kind, else null. Pure. */
  String idIn(String waitingOn) {
    return waitingOn != null && waitingOn.startsWith(prefix) ? waitingOn.substring(prefix.length()) : null;
  }
}
