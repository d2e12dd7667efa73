package org.stellaops.orchestrator.workflow;

import java.util.Locale;

/** A step's status inside a promotion's {@code steps}; {@link #wire()} is the stored and answered value. */
public enum StepStatus {
  PENDING, RUNNING, WAITING, SUCCEEDED, FAILED, SKIPPED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status of a stored step; null for a value this gateway does not write. */
  static StepStatus of(String wire) {
    for (StepStatus s : values()) {
      if (s.wire().equals(wire)) {
        return s;
      }
    }
    return null;
  }
}
