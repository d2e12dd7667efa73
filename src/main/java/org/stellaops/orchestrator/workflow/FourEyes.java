package org.stellaops.orchestrator.workflow;

import org.stellaops.orchestrator.auth.Principal;

/**
 * The four-eyes rule for approvals: whoever requested a promotion cannot approve it, and
 * {@code requiredApprovals} counts distinct approvers other than the requester. Principals are
 * compared by their stable id ({@code service-account:<uuid>}, {@code admin:admin},
 * {@code user:<JWT subject>}), never by a display name another account may reuse. Pure.
 */
final class FourEyes {

  /** The {@code requestedById} of promotions started by the gateway itself, which nobody can approve as. */
  static final String AUTOMATIC = "system:auto-promotion";

  private FourEyes() {}

  static String principalId(Principal p) {
    return p.kind() + ":" + p.id();
  }

  /** True when {@code caller} requested {@code p}; rows without a requester id compare the recorded actor. */
  static boolean isRequester(Promotion p, Principal caller) {
    return p.requestedById() != null
        ? p.requestedById().equals(principalId(caller))
        : p.requestedBy().equals(caller.actor());
  }
}
