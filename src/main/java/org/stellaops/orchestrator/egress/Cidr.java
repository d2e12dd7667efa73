package org.stellaops.orchestrator.egress;

import java.net.InetAddress;

/**
 * An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a
 * single-host network. Pure: parsing never looks a name up.
 */
public record Cidr(InetAddress network, int prefix) {

  /** @throws IllegalArgumentException when {@code text} is not an address with an optional /prefix */
  public static Cidr parse(String text) {
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    InetAddress parsed = Addresses.literal(address)
        .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a network such as 10.0.0.0/8 or fd00::/8"));
    int bits = parsed.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String digits = trimmed.substring(slash + 1);
      if (!digits.matches("[0-9]{1,3}") || Integer.parseInt(digits) > bits) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0-" + bits);
      }
      prefix = Integer.parseInt(digits);
    }
    return new Cidr(masked(parsed, prefix), prefix);
  }

  public boolean contains(InetAddress address) {
    byte[] net = network.getAddress();
    byte[] candidate = address.getAddress();
    if (net.length != candidate.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != candidate[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (net[full] & mask) == (candidate[full] & mask);
  }

  private static InetAddress masked(InetAddress address, int prefix) {
    byte[] bytes = address.getAddress();
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      bytes[i] = (byte) (bytes[i] & (0xff << (8 - keep)));
    }
    return Addresses.of(bytes);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }
}
