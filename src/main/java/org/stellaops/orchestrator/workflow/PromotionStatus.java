package org.stellaops.orchestrator.workflow;

import java.util.Locale;

/**
 * A promotion's status. {@link #wire()} is the value stored in {@code promotion.status} and
 * answered by the API (the table's CHECK constraint lists the same values).
 */
public enum PromotionStatus {
  PENDING, AWAITING_APPROVAL, APPROVED, DEPLOYING, DEPLOYED, REJECTED, CANCELLED, FAILED, ROLLED_BACK;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static PromotionStatus of(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }
}
