package org.stellaops.orchestrator.egress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Which addresses the gateway may send requests to. Loopback, link-local (where every cloud's
 * instance metadata service lives), unspecified, multicast and broadcast addresses, and the cloud
 * metadata addresses outside link-local, are denied; everything else, private ranges included, is
 * allowed, because CI servers and deploy targets are usually internal. {@code allowedNetworks}
 * ({@code egress.allowedNetworks}) exempts networks from the deny list. Pure.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:169.254.169.254}) are IPv4 addresses to the JDK
 * and are judged as such; an address under the NAT64 prefix {@code 64:ff9b::/96} is judged by the
 * IPv4 address it embeds too.
 */
public final class EgressPolicy {

  /** A denied network and what it is, for messages. */
  record Denied(Cidr network, String kind) {}

  static final List<Denied> DENIED = List.of(
      denied("0.0.0.0/8", "unspecified"),
      denied("127.0.0.0/8", "loopback"),
      denied("169.254.0.0/16", "link-local (cloud metadata)"),
      // Alibaba Cloud's metadata service, outside link-local:
      // https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata
      denied("100.100.100.200/32", "cloud metadata"),
      // Azure's host endpoint (WireServer), which serves VM agent and extension configuration:
      // https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16
      denied("168.63.129.16/32", "cloud metadata"),
      denied("224.0.0.0/4", "multicast"),
      denied("255.255.255.255/32", "broadcast"),
      denied("::/128", "unspecified"),
      denied("::1/128", "loopback"),
      denied("fe80::/10", "link-local"),
      // The EC2 instance metadata service over IPv6, inside the otherwise allowed fc00::/7:
      // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
      denied("fd00:ec2::254/128", "cloud metadata"),
      denied("ff00::/8", "multicast"));

  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
  /** Deprecated IPv4-compatible addresses (RFC 4291 section 2.5.5.1), IPv4 in the last 32 bits. */
  private static final Cidr IPV4_COMPATIBLE = Cidr.parse("::/96");
  /** 6to4 (RFC 3056): the IPv4 address in bits 16 to 47. */
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

  private final List<Cidr> allowedNetworks;

  public EgressPolicy(List<Cidr> allowedNetworks) {
    this.allowedNetworks = List.copyOf(allowedNetworks);
  }

  /** Why a request to {@code address} is refused ("link-local (cloud metadata)"), or empty when it may go. */
  public Optional<String> denial(InetAddress address) {
    Optional<InetAddress> embedded = embeddedIpv4(address);
    for (InetAddress candidate : embedded.isPresent() ? List.of(address, embedded.get()) : List.of(address)) {
      if (allowedNetworks.stream().anyMatch(n -> n.contains(candidate))) {
        continue;
      }
      Optional<String> kind = DENIED.stream().filter(d -> d.network().contains(candidate)).map(Denied::kind).findFirst();
      if (kind.isPresent()) {
        return kind;
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a URL being saved: a host that is a denied literal address, or a numeric host that
   * is not a dotted quad, is a 400 at {@code field}. Names are judged when a request resolves them.
   */
  public void checkUrl(Validator v, String field, String url) {
    if (url == null) {
      return;
    }
    Optional<String> host = Addresses.host(url);
    if (host.isEmpty()) {
      return;
    }
    if (Addresses.ambiguousNumeric(host.get())) {
      v.error(field, "host '" + host.get() + "' must be a name or a dotted-quad IPv4 address", "INVALID_FORMAT");
      return;
    }
    Addresses.literal(host.get()).ifPresent(address -> denial(address).ifPresent(kind ->
        v.error(field, "points at " + address.getHostAddress() + ", a " + kind + " address the gateway does not "
            + "send requests to (egress.allowedNetworks, STELLA_EGRESS_ALLOWED_NETWORKS, can allow it)",
            EgressDeniedException.CODE)));
  }

  public List<Cidr> allowedNetworks() {
    return allowedNetworks;
  }

  static Optional<InetAddress> embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return Optional.empty();
    }
    byte[] bytes = address.getAddress();
    // :: and ::1 lie in ::/96 too, but are IPv6's own unspecified and loopback addresses.
    if (NAT64.contains(address) || IPV4_COMPATIBLE.contains(address) && bytes[12] != 0) {
      return Optional.of(Addresses.of(Arrays.copyOfRange(bytes, 12, 16)));
    }
    if (SIX_TO_FOUR.contains(address)) {
      return Optional.of(Addresses.of(Arrays.copyOfRange(bytes, 2, 6)));
    }
    return Optional.empty();
  }

  private static Denied denied(String cidr, String kind) {
    return new Denied(Cidr.parse(cidr), kind);
  }
}
