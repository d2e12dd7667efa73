package org.stellaops.orchestrator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** Service accounts and bearer tokens against the real gateway. */
class AuthenticationTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  private static JsonObject account(String name, String... roles) {
    return new JsonObject().put("name", name).put("roles", new JsonArray(List.of((Object[]) roles)));
  }

  @Test
  @DisplayName("a request without a bearer token gets 401 in the error envelope with WWW-Authenticate")
  void missingToken() {
    Resp r = gw.get("/api/v1/releases", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().getBoolean("success")).isFalse();
    assertThat(r.error().getString("code")).isEqualTo("UNAUTHORIZED");
    assertThat(r.json().getJsonObject("meta").getString("requestId")).isEqualTo(r.header("X-Request-Id"));
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTokens")
  @DisplayName("unknown and malformed tokens get 401")
  void unknownTokens(String label, String authorization) {
    var request = gw.request("/api/v1/releases", null).header("Authorization", authorization).GET().build();
    Resp r = gw.send(request);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error().getString("code")).isEqualTo("UNAUTHORIZED");
  }

  static Stream<Arguments> badTokens() {
    return Stream.of(
        Arguments.of("unknown service-account token", "Bearer stella_sa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        Arguments.of("short stella_sa_ token", "Bearer stella_sa_x"),
        Arguments.of("random string", "Bearer not-a-token"),
        Arguments.of("basic scheme", "Basic dXNlcjpwYXNz"),
        Arguments.of("empty bearer", "Bearer "));
  }

  @Test
  @DisplayName("a token whose secret part is altered is refused even though its lookup prefix exists")
  void alteredTokenIsRefused() {
    String token = gw.createServiceAccount(account("altered", "viewer")).getString("token");
    char last = token.charAt(token.length() - 1);
    String altered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(gw.get("/api/v1/releases", token).status()).isEqualTo(200);
    assertThat(gw.get("/api/v1/releases", altered).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("revoking a service account refuses its token on the very next request")
  void revokedTokenIsRefused() {
    JsonObject created = gw.createServiceAccount(account("to-revoke", "viewer"));
    String token = created.getString("token");
    assertThat(gw.get("/api/v1/releases", token).status()).isEqualTo(200);

    assertThat(gw.delete("/api/v1/service-accounts/" + created.getString("id"), ADMIN).status()).isEqualTo(204);

    Resp r = gw.get("/api/v1/releases", token);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error().getString("message")).contains("revoked");
    Resp read = gw.get("/api/v1/service-accounts/" + created.getString("id"), ADMIN);
    assertThat(read.data().getString("status")).isEqualTo("revoked");
  }

  @Test
  @DisplayName("an expired service-account token is refused")
  void expiredTokenIsRefused() {
    String token = gw.createServiceAccount(account("short-lived", "viewer").put("expiresIn", "2s"))
        .getString("token");
    assertThat(gw.get("/api/v1/releases", token).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          Resp r = gw.get("/api/v1/releases", token);
          assertThat(r.status()).isEqualTo(401);
          assertThat(r.error().getString("message")).contains("expired");
        });
  }

  @Test
  @DisplayName("reading service accounts never returns a token or its hash")
  void tokensAreNeverReturnedAfterCreation() {
    JsonObject created = gw.createServiceAccount(account("secretive", "viewer"));
    String token = created.getString("token");
    Resp one = gw.get("/api/v1/service-accounts/" + created.getString("id"), ADMIN);
    Resp list = gw.get("/api/v1/service-accounts?limit=200", ADMIN);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.data().getString("name")).isEqualTo("secretive");
    assertThat(one.data().getJsonArray("effectivePermissions").getList()).contains("release:read");
    for (Resp r : List.of(one, list)) {
      assertThat(r.body()).doesNotContain(token).doesNotContain(token.substring(10, 22)).doesNotContainIgnoringCase("hash");
    }
  }

  @Test
  @DisplayName("a valid token without the route's permission gets 403 naming the missing permission")
  void missingPermissionIsNamed() {
    String viewer = gw.createServiceAccount(account("viewer-only", "viewer")).getString("token");
    Resp r = gw.post("/api/v1/components", viewer, new JsonObject().put("name", "x").put("imageRepository", "x/y"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.error().getString("message")).contains("component:create");
  }

  @Test
  @DisplayName("explicit permissions add to roles")
  void explicitPermissionsAddToRoles() {
    String token = gw.createServiceAccount(account("viewer-plus", "viewer").put("permissions",
        new JsonArray().add(new JsonObject().put("resource", "component").put("action", "create")))).getString("token");
    Resp r = gw.post("/api/v1/components", token,
        new JsonObject().put("name", "plus").put("imageRepository", "registry.example.com/plus"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(gw.delete("/api/v1/components/" + r.data().getString("id"), token).status()).isEqualTo(403);
  }

  @ParameterizedTest(name = "expiresIn {0}")
  @MethodSource("durations")
  @DisplayName("expiresIn accepts short forms and ISO-8601")
  void expiresInForms(String expiresIn, Duration expected) {
    JsonObject created = gw.createServiceAccount(account("exp-" + expiresIn.toLowerCase(), "viewer")
        .put("expiresIn", expiresIn));
    Instant at = Instant.parse(created.getString("expiresAt"));
    Instant want = Instant.now().plus(expected);
    assertThat(at).isBetween(want.minus(1, ChronoUnit.MINUTES), want.plus(1, ChronoUnit.MINUTES));
  }

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("365d", Duration.ofDays(365)),
        Arguments.of("12h", Duration.ofHours(12)),
        Arguments.of("30m", Duration.ofMinutes(30)),
        Arguments.of("PT12H", Duration.ofHours(12)),
        Arguments.of("P90D", Duration.ofDays(90)));
  }

  @Test
  @DisplayName("an invalid service-account body lists every field that breaks the API description, then every other bad field")
  void invalidServiceAccountBody() {
    Resp r = gw.post("/api/v1/service-accounts", ADMIN, """
        {"name": "bad name!", "roles": ["release-creator", "wizard"],
         "permissions": [{"resource": "release", "action": "explode"}, {"resource": "moon"}],
         "expiresIn": "forever"}
        """);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getString("code")).isEqualTo("VALIDATION_FAILED");
    List<String> fields = r.error().getJsonArray("validationErrors").stream()
        .map(e -> ((JsonObject) e).getString("field")).toList();
    assertThat(fields).containsExactlyInAnyOrder("name", "roles[1]", "permissions[0].action",
        "permissions[1].resource", "permissions[1].action");
    Resp lifetime = gw.post("/api/v1/service-accounts", ADMIN, """
        {"name": "fine", "roles": ["release-creator"], "expiresIn": "forever"}
        """);
    assertThat(lifetime.status()).isEqualTo(400);
    assertThat(lifetime.error().getJsonArray("validationErrors").stream()
        .map(e -> ((JsonObject) e).getString("field")).toList()).containsExactly("expiresIn");
  }

  private static JsonObject withPermissions(String name, String... permissions) {
    JsonArray list = new JsonArray();
    for (String p : permissions) {
      Permission parsed = Permission.of(p);
      list.add(new JsonObject().put("resource", parsed.resource()).put("action", parsed.action()));
    }
    return new JsonObject().put("name", name).put("permissions", list);
  }

  @Test
  @DisplayName("a token grants only what it holds: a role or permission beyond it is 403 naming the permission")
  void grantsAreBoundedByTheGranter() {
    String keeper = gw.createServiceAccount(withPermissions("grant-keeper",
        "service-account:create", "release:create", "component:read")).getString("token");
    assertThat(gw.post("/api/v1/service-accounts", keeper, withPermissions("held-only", "release:create"))
        .status()).isEqualTo(201);
    Resp role = gw.post("/api/v1/service-accounts", keeper, account("via-role", "release-creator"));
    assertThat(role.status()).isEqualTo(403);
    assertThat(role.error().getString("message")).contains("version-map:read");
    assertThat(role.error().getJsonObject("details").getString("requiredPermission")).isEqualTo("version-map:read");
    Resp direct = gw.post("/api/v1/service-accounts", keeper, withPermissions("escalate", "integration:update"));
    assertThat(direct.status()).isEqualTo(403);
    assertThat(direct.error().getString("message")).contains("integration:update");
    Resp admin = gw.post("/api/v1/service-accounts", keeper, account("to-admin", "admin"));
    assertThat(admin.status()).isEqualTo(403);
    assertThat(admin.error().getString("message")).contains("*:*");
    Resp ops = gw.post("/api/v1/service-accounts", keeper, account("to-operator", "operator"));
    assertThat(ops.status()).isEqualTo(403);
    // Nothing refused was stored.
    assertThat(gw.get("/api/v1/service-accounts?limit=200", ADMIN).body())
        .doesNotContain("via-role").doesNotContain("escalate").doesNotContain("to-admin").doesNotContain("to-operator");
  }

  @Test
  @DisplayName("wildcard permissions are grantable by an admin only, even by a holder of the same wildcard")
  void wildcardsOnlyFromAdmin() {
    String releases = gw.createServiceAccount(withPermissions("release-wildcard",
        "service-account:create", "release:*")).getString("token");
    Resp wildcard = gw.post("/api/v1/service-accounts", releases, withPermissions("copy-wildcard", "release:*"));
    assertThat(wildcard.status()).isEqualTo(403);
    assertThat(wildcard.error().getString("message")).contains("release:*");
    assertThat(gw.post("/api/v1/service-accounts", releases, withPermissions("one-action", "release:read"))
        .status()).isEqualTo(201);
    assertThat(gw.post("/api/v1/service-accounts", ADMIN, account("second-admin", "admin")).status()).isEqualTo(201);
    assertThat(gw.post("/api/v1/service-accounts", ADMIN, withPermissions("any-release", "release:*")).status())
        .isEqualTo(201);
  }

  @Test
  @DisplayName("two active service accounts cannot share a name, but a revoked account's name can be reused")
  void duplicateNames() {
    JsonObject first = gw.createServiceAccount(account("dupe", "viewer"));
    Resp again = gw.post("/api/v1/service-accounts", ADMIN, account("dupe", "viewer"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error().getString("code")).isEqualTo("CONFLICT");
    gw.delete("/api/v1/service-accounts/" + first.getString("id"), ADMIN);
    assertThat(gw.post("/api/v1/service-accounts", ADMIN, account("dupe", "viewer")).status()).isEqualTo(201);
  }

  @Test
  @DisplayName("unknown service-account ids are 404 and service-account listing is paginated")
  void notFoundAndPagination() {
    assertThat(gw.get("/api/v1/service-accounts/00000000-0000-0000-0000-000000000000", ADMIN).status()).isEqualTo(404);
    assertThat(gw.delete("/api/v1/service-accounts/not-a-uuid", ADMIN).status()).isEqualTo(404);
    for (int i = 0; i < 3; i++) {
      gw.createServiceAccount(account("page-" + i, "viewer"));
    }
    Resp first = gw.get("/api/v1/service-accounts?limit=2", ADMIN);
    String cursor = first.json().getJsonObject("meta").getJsonObject("pagination").getString("nextCursor");
    assertThat(first.json().getJsonArray("data")).hasSize(2);
    assertThat(cursor).isNotNull();
    Resp second = gw.get("/api/v1/service-accounts?limit=2&cursor=" + cursor, ADMIN);
    assertThat(second.json().getJsonArray("data").getJsonObject(0).getString("id"))
        .isNotIn(first.json().getJsonArray("data").getJsonObject(0).getString("id"),
            first.json().getJsonArray("data").getJsonObject(1).getString("id"));
    assertThat(gw.get("/api/v1/service-accounts?cursor=garbage", ADMIN).error().getString("code"))
        .isEqualTo("INVALID_CURSOR");
  }
}
