package org.stellaops.orchestrator.egress;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP literals and URL hosts, read without ever asking DNS. Pure. */
public final class Addresses {

  private static final Pattern DOTTED_QUAD = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
  private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
  private static final Pattern IPV6_TEXT = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

  private Addresses() {}

  /**
   * The address a host names literally: a dotted-quad IPv4 address, or an IPv6 address with or
   * without brackets. Empty for a name (and for anything that would make the JDK ask DNS).
   */
  public static Optional<InetAddress> literal(String host) {
    if (host == null || host.isEmpty()) {
      return Optional.empty();
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    var quad = DOTTED_QUAD.matcher(h);
    if (quad.matches()) {
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int part = Integer.parseInt(quad.group(i + 1));
        if (part > 255) {
          return Optional.empty();
        }
        bytes[i] = (byte) part;
      }
      return Optional.of(of(bytes));
    }
    if (h.indexOf(':') >= 0 && IPV6_TEXT.matcher(h).matches()) {
      try {
        // Brackets make the JDK parse the text as an IPv6 literal and never fall back to a lookup.
        return Optional.of(InetAddress.getByName("[" + h + "]"));
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * A host made only of digits and dots that is not a dotted quad ({@code 2130706433},
   * {@code 127.1}): resolvers disagree on what it means, so it is never accepted as a host.
   */
  public static boolean ambiguousNumeric(String host) {
    return host != null && DIGITS_AND_DOTS.matcher(host).matches() && literal(host).isEmpty();
  }

  /** The host of an absolute URL, brackets kept for IPv6; empty when it has none. */
  public static Optional<String> host(String url) {
    try {
      return Optional.ofNullable(new URI(url).getHost());
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  static InetAddress of(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
