package org.stellaops.orchestrator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthPrimitivesTest {

  private static final Instant NOW = Instant.parse("2026-01-09T00:00:00Z");

  @ParameterizedTest(name = "{0} -> +{1}s")
  @CsvSource({"365d,31536000", "12h,43200", "30m,1800", "45s,45", "2w,1209600", "PT12H,43200", "P90D,7776000",
      "P1DT2H,93600"})
  @DisplayName("expiresIn: short forms and ISO-8601 durations")
  void expiresInParses(String text, long seconds) {
    assertThat(ExpiresIn.expiresAt(text, NOW)).contains(NOW.plusSeconds(seconds));
  }

  @Test
  @DisplayName("expiresIn: calendar periods are applied in UTC")
  void expiresInPeriods() {
    assertThat(ExpiresIn.expiresAt("P1Y", NOW)).contains(Instant.parse("2027-01-09T00:00:00Z"));
    assertThat(ExpiresIn.expiresAt("P1M", NOW)).contains(Instant.parse("2026-02-09T00:00:00Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0d", "-1d", "forever", "365", "P0D", "PT-1H", "4000d", "P11Y", ""})
  @DisplayName("expiresIn: zero, negative, unparseable and over-ten-year values are refused")
  void expiresInRefuses(String text) {
    assertThat(ExpiresIn.expiresAt(text, NOW)).isEmpty();
    assertThat(ExpiresIn.MAX).isEqualTo(Duration.ofDays(3660));
  }

  @Test
  @DisplayName("tokens: stella_sa_ plus at least 32 url-safe characters, verified only by their own hash")
  void tokens() {
    Tokens.Issued a = Tokens.newServiceAccountToken();
    Tokens.Issued b = Tokens.newServiceAccountToken();
    assertThat(a.token()).matches("stella_sa_[A-Za-z0-9_-]{43}");
    assertThat(a.token()).isNotEqualTo(b.token());
    assertThat(Tokens.lookupOf(a.token())).isEqualTo(a.lookup()).hasSize(12);
    assertThat(Tokens.matches(a.token(), a.hash())).isTrue();
    assertThat(Tokens.matches(b.token(), a.hash())).isFalse();
    assertThat(Tokens.matches(a.token(), null)).isFalse();
    assertThat(Tokens.lookupOf("stella_sa_short")).isNull();
    assertThat(Tokens.lookupOf("eyJhbGciOi.x.y")).isNull();
  }

  @Test
  @DisplayName("roles: release-creator is exactly the three permissions a CI job needs; admin grants everything")
  void roles() {
    assertThat(Roles.expand(List.of("release-creator"), List.of()).stream().map(Permission::toString))
        .containsExactlyInAnyOrder("release:create", "component:read", "version-map:read");
    Principal admin = new Principal("admin", "a", "a", Roles.expand(List.of("admin"), List.of()));
    assertThat(admin.can(Permission.SERVICE_ACCOUNT_CREATE)).isTrue();
    Principal operator = new Principal("user", "o", "o", Roles.expand(List.of("operator"), List.of()));
    assertThat(operator.can(Permission.RELEASE_CREATE)).isTrue();
    assertThat(operator.can(Permission.SERVICE_ACCOUNT_CREATE)).isFalse();
    Principal viewer = new Principal("user", "v", "v",
        Roles.expand(List.of("viewer", "unknown-role"), Set.of(Permission.of("release:create"))));
    assertThat(viewer.can(Permission.RELEASE_READ)).isTrue();
    assertThat(viewer.can(Permission.RELEASE_CREATE)).isTrue();
    assertThat(viewer.can(Permission.COMPONENT_CREATE)).isFalse();
  }

  @Test
  @DisplayName("JWT roles are read from a list, a dotted path, or a space-separated string")
  void jwtRoles() {
    JsonObject claims = new JsonObject()
        .put("roles", new JsonArray().add("viewer").add("operator"))
        .put("realm_access", new JsonObject().put("roles", new JsonArray().add("admin")))
        .put("scope", "viewer release-creator");
    assertThat(JwtVerifier.rolesFrom(claims, "roles")).containsExactly("viewer", "operator");
    assertThat(JwtVerifier.rolesFrom(claims, "realm_access.roles")).containsExactly("admin");
    assertThat(JwtVerifier.rolesFrom(claims, "scope")).containsExactly("viewer", "release-creator");
    assertThat(JwtVerifier.rolesFrom(claims, "missing.path")).isEmpty();
  }
}
