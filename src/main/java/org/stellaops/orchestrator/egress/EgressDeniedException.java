package org.stellaops.orchestrator.egress;

import java.net.InetAddress;

/**
 * A request was not sent because its host is, or resolves to, an address {@link EgressPolicy}
 * denies. Raised before any connection is opened.
 */
public final class EgressDeniedException extends RuntimeException {

  public static final String CODE = "EGRESS_DENIED";

  public EgressDeniedException(String host, InetAddress address, String kind) {
    super(CODE + ": " + host + (host.equals(address.getHostAddress()) ? "" : " resolves to " + address.getHostAddress())
        + ", a " + kind + " address the gateway does not send requests to (egress.allowedNetworks can allow it)",
        null, false, false);
  }

  public EgressDeniedException(String message) {
    super(CODE + ": " + message, null, false, false);
  }

  /** Whether {@code failure} or one of its causes is an egress denial. */
  public static boolean in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof EgressDeniedException) {
        return true;
      }
    }
    return false;
  }
}
