package org.stellaops.orchestrator.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.stellaops.orchestrator.platform.Validator;

/** The egress decision and the address parsing it rests on: pure functions, no network. */
class EgressPolicyTest {

  private static final EgressPolicy DEFAULT = new EgressPolicy(List.of());

  private static InetAddress ip(String literal) {
    return Addresses.literal(literal).orElseThrow();
  }

  @ParameterizedTest(name = "{0} is denied as {1}")
  @CsvSource({
      "127.0.0.1, loopback",
      "127.255.0.9, loopback",
      "169.254.169.254, link-local (cloud metadata)",
      "169.254.0.23, link-local (cloud metadata)",
      "100.100.100.200, cloud metadata",
      "0.0.0.0, unspecified",
      "224.0.0.1, multicast",
      "239.255.255.250, multicast",
      "255.255.255.255, broadcast",
      "::1, loopback",
      "::, unspecified",
      "fe80::1, link-local",
      "febf::1, link-local",
      "fd00:ec2::254, cloud metadata",
      "ff02::1, multicast",
      "::ffff:169.254.169.254, link-local (cloud metadata)",
      "64:ff9b::a9fe:a9fe, link-local (cloud metadata)",
      "::a9fe:a9fe, link-local (cloud metadata)",
      "::127.0.0.1, loopback",
      "2002:a9fe:a9fe::1, link-local (cloud metadata)",
      "2002:7f00:1::1, loopback",
      "168.63.129.16, cloud metadata"})
  @DisplayName("loopback, link-local, metadata, unspecified, multicast and broadcast addresses are denied by default")
  void denied(String address, String kind) {
    assertThat(DEFAULT.denial(ip(address))).contains(kind);
  }

  @ParameterizedTest(name = "{0} is allowed")
  @ValueSource(strings = {"10.0.0.5", "172.16.3.4", "192.168.1.10", "100.64.0.1", "8.8.8.8", "fd12:3456::1",
      "fd00:ec2::253", "2001:db8::1", "169.253.255.255", "169.255.0.0", "fec0::1"})
  @DisplayName("private and public addresses are allowed, including the neighbours of denied ones")
  void allowed(String address) {
    assertThat(DEFAULT.denial(ip(address))).isEmpty();
  }

  @Test
  @DisplayName("allowedNetworks exempts exactly its networks from the deny list")
  void allowList() {
    EgressPolicy loopback = new EgressPolicy(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
    assertThat(loopback.denial(ip("127.0.0.1"))).isEmpty();
    assertThat(loopback.denial(ip("::1"))).isEmpty();
    assertThat(loopback.denial(ip("169.254.169.254"))).isPresent();
    assertThat(loopback.denial(ip("0.0.0.0"))).isPresent();
    EgressPolicy metadataHost = new EgressPolicy(List.of(Cidr.parse("169.254.169.254")));
    assertThat(metadataHost.denial(ip("169.254.169.254"))).isEmpty();
    assertThat(metadataHost.denial(ip("169.254.169.253"))).isPresent();
  }

  @Test
  @DisplayName("CIDRs parse with and without a prefix, are masked, and bad ones are refused")
  void cidrs() {
    assertThat(Cidr.parse("10.1.2.3/8")).hasToString("10.0.0.0/8");
    assertThat(Cidr.parse("192.168.0.1")).hasToString("192.168.0.1/32");
    assertThat(Cidr.parse("fd00::/8").contains(ip("fdff::1"))).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains(ip("fe00::1"))).isFalse();
    assertThat(Cidr.parse("10.0.0.0/8").contains(ip("::ffff:10.0.0.1"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("::1"))).isFalse();
    for (String bad : List.of("10.0.0.0/33", "::/129", "10.0.0/8", "example.com/8", "10.0.0.0/x", "", "300.0.0.1/8")) {
      assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  @DisplayName("only real IP literals count as literals: names and odd numeric forms are never parsed as addresses")
  void literals() {
    assertThat(Addresses.literal("[fd00:ec2::254]")).contains(ip("fd00:ec2::254"));
    assertThat(Addresses.literal("example.com")).isEmpty();
    assertThat(Addresses.literal("localhost")).isEmpty();
    assertThat(Addresses.literal("2130706433")).isEmpty();
    assertThat(Addresses.literal("[not:an:address::zz]")).isEmpty();
    assertThat(Addresses.ambiguousNumeric("2130706433")).isTrue();
    assertThat(Addresses.ambiguousNumeric("127.1")).isTrue();
    assertThat(Addresses.ambiguousNumeric("127.0.0.1")).isFalse();
    assertThat(Addresses.ambiguousNumeric("ci.example.com")).isFalse();
  }

  @Test
  @DisplayName("a saved URL whose host is a denied literal is a validation error at its field; names pass")
  void savedUrls() {
    Validator v = new Validator(new JsonObject());
    DEFAULT.checkUrl(v, "url", "http://169.254.169.254/latest/meta-data/");
    DEFAULT.checkUrl(v, "config.endpoint", "https://[fd00:ec2::254]/");
    DEFAULT.checkUrl(v, "other", "http://2130706433/");
    DEFAULT.checkUrl(v, "fine", "https://ci.internal.example/");
    DEFAULT.checkUrl(v, "private", "http://10.0.0.8:8080/");
    assertThat(v.errors()).extracting(e -> e.field() + " " + e.code()).containsExactly(
        "url EGRESS_DENIED", "config.endpoint EGRESS_DENIED", "other INVALID_FORMAT");
  }
}
