package org.stellaops.orchestrator.citrust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.FakeOidcIssuer;
import org.stellaops.orchestrator.support.Jwts;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * CI jobs authenticating with the OIDC ID tokens of GitHub Actions and GitLab CI, played by local
 * issuers ({@link FakeOidcIssuer}) on loopback, against the real gateway and its database. Each
 * test trusts its own audience, so the policies of one test never match another's tokens.
 */
class CiTrustTest {

  private static final String POLICIES = "/api/v1/ci-trust-policies";
  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String OTHER_SHA = "fedcba9876543210fedcba9876543210fedcba98";
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @AutoClose
  static final FakeOidcIssuer github = new FakeOidcIssuer();
  @AutoClose
  static final FakeOidcIssuer gitlab = new FakeOidcIssuer();
  @AutoClose
  static final FakeOidcIssuer oversized = new FakeOidcIssuer();
  // Keys refetched for an unknown key id at most once a second, so the rotation test is quick.
  @RegisterExtension
  static final TestGateway gateway = TestGateway.perClass(c -> c.withCiTrust(new AppConfig.CiTrust(600, 1)));
  private static String componentId;
  private static String backendId;
  private static String billingId;

  @BeforeAll
  static void start() {
    componentId = gateway.createComponent("myapp", "registry.example.com/myorg/myapp").getString("id");
    backendId = gateway.createComponent("backend", "registry.example.com/team-b/backend").getString("id");
    billingId = gateway.createComponent("billing", "registry.example.com/team-c/billing").getString("id");
  }

  private static JsonObject policy(String name, FakeOidcIssuer issuer, String audience, JsonObject claims) {
    return new JsonObject().put("name", name).put("issuer", issuer.issuer()).put("audience", audience)
        .put("claims", claims).put("roles", new JsonArray().add("release-creator"));
  }

  private static JsonObject create(JsonObject policy) {
    Resp r = gateway.post(POLICIES, ADMIN, policy);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data();
  }

  private static JsonObject release(String name, String repository, String commit) {
    JsonObject body = new JsonObject().put("name", name)
        .put("components", new JsonArray().add(new JsonObject().put("componentId", componentId).put("digest", DIGEST)));
    if (repository != null) {
      body.put("sourceRef", new JsonObject().put("type", "git").put("repository", repository).put("commit", commit)
          .put("tag", "v1.2.0"));
    }
    return body;
  }

  /** A release of {@code components} without a sourceRef, for policies that do not bind one. */
  private static JsonObject releaseOf(String name, String... components) {
    JsonArray pinned = new JsonArray();
    for (String id : components) {
      pinned.add(new JsonObject().put("componentId", id).put("digest", DIGEST));
    }
    return new JsonObject().put("name", name).put("components", pinned);
  }

  private static JsonObject unboundPolicy(String name, String audience, JsonObject claims, String... components) {
    JsonObject policy = policy(name, github, audience, claims).put("bindSourceRef", false);
    return components.length == 0 ? policy : policy.put("components", new JsonArray(java.util.List.of(components)));
  }

  private static boolean releaseExists(String name) {
    return !gateway.get("/api/v1/releases?name=" + name, ADMIN).json().getJsonArray("data").isEmpty();
  }

  private static Resp postWithKey(String token, String key, JsonObject body) {
    return gateway.send(gateway.request("/api/v1/releases", token).header("Content-Type", "application/json")
        .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  @Test
  @DisplayName("a policy listing components lets its jobs release those and refuses any other with 403 COMPONENT_NOT_ALLOWED, "
      + "storing nothing, even when retried under the same Idempotency-Key")
  void componentAllowlistIsEnforced() {
    JsonObject created = create(unboundPolicy("only-myapp", "only-myapp", new JsonObject().put("repository", "myorg/myapp"),
        componentId));
    assertThat(created.getJsonArray("components")).containsExactly(componentId);
    assertThat(gateway.get(POLICIES + "/" + created.getString("id"), ADMIN).data().getJsonArray("components"))
        .containsExactly(componentId);
    String token = githubToken("myorg/myapp", SHA, "refs/heads/main", "only-myapp");

    String own = unique("own");
    Resp allowed = postWithKey(token, "run-own", releaseOf(own, componentId));
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(201);

    String foreign = unique("foreign");
    Resp refused = gateway.post("/api/v1/releases", token, releaseOf(foreign, componentId, backendId));
    assertThat(refused.status()).as(refused.body()).isEqualTo(403);
    assertThat(refused.error().getString("code")).isEqualTo("COMPONENT_NOT_ALLOWED");
    assertThat(refused.error().getString("message")).contains(backendId, "only-myapp").doesNotContain(componentId);
    assertThat(refused.error().getJsonObject("details").getJsonArray("componentIds")).containsExactly(backendId);
    assertThat(releaseExists(foreign)).isFalse();

    // A refused attempt is not remembered: its retry is checked again, and a key that created a
    // release does not carry another body past the check.
    for (int attempt = 0; attempt < 2; attempt++) {
      Resp retried = postWithKey(token, "run-foreign", releaseOf(foreign, backendId));
      assertThat(retried.status()).as(retried.body()).isEqualTo(403);
    }
    Resp reused = postWithKey(token, "run-own", releaseOf(foreign, backendId));
    assertThat(reused.status()).as(reused.body()).isIn(403, 422);
    assertThat(releaseExists(foreign)).isFalse();
    assertThat(releaseExists(own)).isTrue();

    JsonObject unrestricted = create(unboundPolicy("any-component", "any-component",
        new JsonObject().put("repository", "myorg/myapp")));
    assertThat(unrestricted.containsKey("components")).isTrue();
    assertThat(unrestricted.getValue("components")).isNull();
  }

  @Test
  @DisplayName("a job matching two policies may release the union of their components, and nothing else")
  void allowlistsOfMatchingPoliciesAddUp() {
    create(unboundPolicy("union-myapp", "union-components", new JsonObject().put("repository", "myorg/myapp"), componentId));
    create(unboundPolicy("union-backend", "union-components", new JsonObject().put("repository", "myorg/*"), backendId));
    String token = githubToken("myorg/myapp", SHA, "refs/heads/main", "union-components");

    Resp both = gateway.post("/api/v1/releases", token, releaseOf(unique("both"), componentId, backendId));
    assertThat(both.status()).as(both.body()).isEqualTo(201);

    String name = unique("billing");
    Resp billing = gateway.post("/api/v1/releases", token, releaseOf(name, backendId, billingId));
    assertThat(billing.status()).as(billing.body()).isEqualTo(403);
    assertThat(billing.error().getJsonObject("details").getJsonArray("componentIds")).containsExactly(billingId);
    assertThat(billing.error().getJsonObject("details").getJsonArray("policies"))
        .containsExactly("union-backend", "union-myapp");
    assertThat(releaseExists(name)).isFalse();
  }

  @Test
  @DisplayName("a matching policy without a component list lets the job release every component; without it the list applies")
  void policyWithoutAllowlistIsUnrestricted() {
    create(unboundPolicy("mixed-restricted", "mixed", new JsonObject().put("repository", "myorg/myapp"), componentId));
    create(unboundPolicy("mixed-tags", "mixed", new JsonObject().put("repository", "myorg/myapp")
        .put("ref", "refs/tags/*")));

    Resp tag = gateway.post("/api/v1/releases", githubToken("myorg/myapp", SHA, "refs/tags/v4", "mixed"),
        releaseOf(unique("tag"), billingId));
    assertThat(tag.status()).as(tag.body()).isEqualTo(201);

    String name = unique("branch");
    Resp branch = gateway.post("/api/v1/releases", githubToken("myorg/myapp", SHA, "refs/heads/main", "mixed"),
        releaseOf(name, billingId));
    assertThat(branch.status()).as(branch.body()).isEqualTo(403);
    assertThat(branch.error().getString("code")).isEqualTo("COMPONENT_NOT_ALLOWED");
    assertThat(releaseExists(name)).isFalse();
  }

  @Test
  @DisplayName("a policy listing an unknown component is a 422 UNKNOWN_COMPONENT naming its index and id, and is not stored")
  void allowlistOfUnknownComponent() {
    String unknown = UUID.randomUUID().toString();
    Resp r = gateway.post(POLICIES, ADMIN, unboundPolicy("unknown-component", "x",
        new JsonObject().put("repository", "myorg/myapp"), componentId, unknown));
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.error().getString("code")).isEqualTo("UNKNOWN_COMPONENT");
    JsonObject error = r.error().getJsonArray("validationErrors").getJsonObject(0);
    assertThat(error.getString("field")).isEqualTo("components[1]");
    assertThat(error.getString("message")).contains(unknown);
    assertThat(gateway.get(POLICIES + "?limit=200", ADMIN).json().getJsonArray("data").stream()
        .map(p -> ((JsonObject) p).getString("name"))).doesNotContain("unknown-component");
  }

  @Test
  @DisplayName("components that are not a list of 1-100 distinct UUIDs are one 400 naming each bad entry")
  void allowlistShape() {
    JsonObject claims = new JsonObject().put("repository", "myorg/myapp");
    Resp entries = gateway.post(POLICIES, ADMIN, unboundPolicy("bad-components", "x", claims)
        .put("components", new JsonArray().add(componentId).add("not-a-uuid").add(7)));
    assertThat(entries.status()).as(entries.body()).isEqualTo(400);
    assertThat(entries.error().getJsonArray("validationErrors").stream()
        .map(e -> ((JsonObject) e).getString("field"))).containsExactly("components[1]", "components[2]");
    // The same id in another case is the same component.
    Resp duplicate = gateway.post(POLICIES, ADMIN, unboundPolicy("duplicate-components", "x", claims)
        .put("components", new JsonArray().add(componentId).add(componentId.toUpperCase())));
    assertThat(duplicate.status()).as(duplicate.body()).isEqualTo(400);
    assertThat(duplicate.error().getJsonArray("validationErrors").getJsonObject(0).getString("code")).isEqualTo("DUPLICATE");

    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 101; i++) {
      tooMany.add(UUID.randomUUID().toString());
    }
    for (Object bad : new Object[] {componentId, new JsonArray(), tooMany, new JsonObject().put("id", componentId),
        new JsonArray().add(componentId).add(componentId)}) {
      Resp r = gateway.post(POLICIES, ADMIN, unboundPolicy(unique("bad"), "x", claims).put("components", bad));
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.error().getJsonArray("validationErrors").getJsonObject(0).getString("field")).startsWith("components");
    }
  }

  @Test
  @DisplayName("an issuer whose discovery document is larger than 256 KiB is not read whole: its tokens get 503 ISSUER_UNAVAILABLE")
  void oversizedDiscoveryIsRefused() {
    oversized.padDiscovery(300 * 1024);
    create(new JsonObject().put("name", "oversized").put("issuer", oversized.issuer()).put("audience", "big")
        .put("claims", new JsonObject().put("repository", "myorg/myapp")).put("roles", new JsonArray().add("release-creator")));
    Resp r = gateway.get("/api/v1/components", oversized.mint(oversized.githubClaims("myorg/myapp", SHA, "refs/heads/main", "big")));
    assertThat(r.status()).as(r.body()).isEqualTo(503);
    assertThat(r.error().getString("code")).isEqualTo("ISSUER_UNAVAILABLE");
    assertThat(oversized.discoveryRequests()).isEqualTo(1);
  }

  private static String githubToken(String repository, String sha, String ref, String audience) {
    return github.mint(github.githubClaims(repository, sha, ref, audience));
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  @DisplayName("an admin creates, lists, reads and deletes a CI trust policy; a second one with the same name is a 409")
  void crud() {
    JsonObject created = create(policy("crud-policy", github, "crud-audience",
        new JsonObject().put("repository", "myorg/myapp").put("ref", "refs/tags/v*")));
    assertThat(created.getString("issuer")).isEqualTo(github.issuer());
    assertThat(created.getJsonObject("claims").getString("ref")).isEqualTo("refs/tags/v*");
    assertThat(created.getBoolean("bindSourceRef")).isTrue();
    assertThat(created.getJsonArray("effectivePermissions")).contains("release:create");
    assertThat(created.getString("createdBy")).isEqualTo("admin:admin");
    String id = created.getString("id");

    assertThat(gateway.get(POLICIES + "/" + id, ADMIN).data().getString("name")).isEqualTo("crud-policy");
    assertThat(gateway.get(POLICIES + "?limit=200", ADMIN).json().getJsonArray("data").stream()
        .map(p -> ((JsonObject) p).getString("id"))).contains(id);
    Resp duplicate = gateway.post(POLICIES, ADMIN, policy("crud-policy", github, "other", new JsonObject().put("repository", "a/b")));
    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.error().getString("message")).contains("crud-policy");

    assertThat(gateway.delete(POLICIES + "/" + id, ADMIN).status()).isEqualTo(204);
    assertThat(gateway.get(POLICIES + "/" + id, ADMIN).status()).isEqualTo(404);
    assertThat(gateway.delete(POLICIES + "/" + id, ADMIN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("a policy with a plain-http non-loopback issuer, no audience, no claims, unknown roles and permissions is one 400 naming each")
  void validation() {
    Resp shape = gateway.post(POLICIES, ADMIN, new JsonObject().put("name", "bad")
        .put("issuer", "https://token.example.com").put("claims", new JsonObject().put("repository", "a/b"))
        .put("roles", new JsonArray().add("superuser")));
    assertThat(shape.status()).as(shape.body()).isEqualTo(400);
    assertThat(shape.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field")))
        .contains("audience", "roles[0]");

    Resp r = gateway.post(POLICIES, ADMIN, new JsonObject().put("name", "bad")
        .put("issuer", "http://token.example.com").put("audience", "a").put("claims", new JsonObject())
        .put("permissions", new JsonArray().add("release:launch")));
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonArray errors = r.error().getJsonArray("validationErrors");
    assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field")))
        .contains("issuer", "claims", "permissions[0]");
    assertThat(errors.stream().map(e -> (JsonObject) e).filter(e -> e.getString("field").equals("claims"))
        .findFirst().orElseThrow().getString("message")).contains("at least one claim", "every job");
    assertThat(errors.stream().map(e -> (JsonObject) e).filter(e -> e.getString("field").equals("issuer"))
        .findFirst().orElseThrow().getString("message")).contains("https://");
    assertThat(gateway.post(POLICIES, ADMIN, policy("loopback-http", github, "a",
        new JsonObject().put("repository", "a/b"))).status()).isEqualTo(201);
  }

  @Test
  @DisplayName("a claim of only '*', a claim on aud and an issuer at the cloud metadata address are refused, without a request to it")
  void claimsThatTrustEveryJobAndDeniedIssuersAreRefused() {
    Resp r = gateway.post(POLICIES, ADMIN, new JsonObject().put("name", "too-wide")
        .put("issuer", "https://169.254.169.254").put("audience", "a")
        .put("claims", new JsonObject().put("repository", "**").put("aud", "a"))
        .put("roles", new JsonArray().add("viewer")));
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("code")))
        .contains("MATCHES_EVERYTHING", "RESERVED_CLAIM", "EGRESS_DENIED");
    Resp plain = gateway.post(POLICIES, ADMIN, policy("missing-claims", github, "x", null).put("claims", (Object) null));
    assertThat(plain.status()).isEqualTo(400);
    assertThat(plain.error().getString("message")).contains("claims");
  }

  @Test
  @DisplayName("a caller without ci-trust-policy permissions gets 403 on create and list, and cannot grant more than it holds")
  void onlyAdminsManagePolicies() {
    String operator = gateway.createServiceAccount(new JsonObject().put("name", "ops")
        .put("roles", new JsonArray().add("operator"))).getString("token");
    Resp create = gateway.post(POLICIES, operator, policy("by-operator", github, "x", new JsonObject().put("repository", "a/b")));
    assertThat(create.status()).isEqualTo(403);
    assertThat(create.error().getJsonObject("details").getString("requiredPermission")).isEqualTo("ci-trust-policy:create");
    assertThat(gateway.get(POLICIES, operator).status()).isEqualTo(403);

    // Holding the permission is not enough: a policy mints identities, so only the admin role creates one.
    String policyAdmin = gateway.createServiceAccount(new JsonObject().put("name", "policy-admin")
        .put("permissions", new JsonArray().add(new JsonObject().put("resource", "ci-trust-policy").put("action", "create"))))
        .getString("token");
    Resp byPolicyAdmin = gateway.post(POLICIES, policyAdmin, policy("by-policy-admin", github, "x",
        new JsonObject().put("repository", "a/b")));
    assertThat(byPolicyAdmin.status()).isEqualTo(403);
    assertThat(byPolicyAdmin.error().getString("message")).contains("needs the admin role");
  }

  @Test
  @DisplayName("a policy must pin an owner (repository, project_path, ... without a wildcard before its first '/') "
      + "and must not grant promotion:approve")
  void policiesPinAnOwnerAndNeverApprove() {
    for (JsonObject unpinned : new JsonObject[] {new JsonObject().put("ref", "refs/tags/v*"),
        new JsonObject().put("ref_type", "tag").put("event_name", "push"),
        new JsonObject().put("repository", "myorg*/app"), new JsonObject().put("project_path", "*/app")}) {
      Resp r = gateway.post(POLICIES, ADMIN, policy(unique("unpinned"), github, "x", unpinned));
      assertThat(r.status()).as(unpinned.encode()).isEqualTo(400);
      assertThat(r.body()).contains("OWNER_NOT_PINNED");
    }
    assertThat(gateway.post(POLICIES, ADMIN, policy(unique("org-wide"), github, "x",
        new JsonObject().put("repository", "myorg/*"))).status()).isEqualTo(201);

    Resp operator = gateway.post(POLICIES, ADMIN, policy(unique("approver"), github, "x",
        new JsonObject().put("repository", "myorg/myapp")).put("roles", new JsonArray().add("operator")));
    assertThat(operator.status()).isEqualTo(400);
    assertThat(operator.body()).contains("GRANTS_APPROVAL", "promotion:approve");
    Resp explicit = gateway.post(POLICIES, ADMIN, policy(unique("approver"), github, "x",
        new JsonObject().put("repository", "myorg/myapp")).put("permissions", new JsonArray().add("promotion:*")));
    assertThat(explicit.status()).isEqualTo(400);
    assertThat(explicit.body()).contains("GRANTS_APPROVAL");
  }

  @Test
  @DisplayName("a GitHub Actions token for a tag matching refs/tags/v* creates a release bound to its commit, with its identity recorded")
  void githubTokenCreatesBoundRelease() {
    create(policy("gh-release", github, "gh-release", new JsonObject().put("repository", "myorg/myapp")
        .put("ref", "refs/tags/v*")));
    String token = githubToken("myorg/myapp", SHA, "refs/tags/v1.2.0", "gh-release");
    String name = unique("myapp-gh");
    // The repository as a URL on the issuer's server, with .git and another case: the same repository.
    JsonObject body = release(name, github.issuer() + "/MyOrg/MyApp.git", SHA.toUpperCase());
    HttpRequest request = gateway.request("/api/v1/releases", token).header("Content-Type", "application/json")
        .header("Idempotency-Key", "run-6301876525").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    Resp created = gateway.send(request);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.data().getString("createdBy")).isEqualTo("ci:gh-release");
    JsonObject identity = created.data().getJsonObject("createdByIdentity");
    assertThat(identity.getString("issuer")).isEqualTo(github.issuer());
    assertThat(identity.getString("subject")).isEqualTo("repo:myorg/myapp:ref:refs/tags/v1.2.0");
    assertThat(identity.getString("policy")).isEqualTo("gh-release");
    assertThat(identity.getString("runId")).isEqualTo("6301876525");
    assertThat(identity.getString("workflowRef")).isEqualTo("myorg/myapp/.github/workflows/release.yml@refs/tags/v1.2.0");
    assertThat(identity.getString("repository")).isEqualTo("myorg/myapp");
    assertThat(identity.getString("commit")).isEqualTo(SHA);

    Resp read = gateway.get("/api/v1/releases/" + created.data().getString("id"), ADMIN);
    assertThat(read.data().getJsonObject("createdByIdentity")).isEqualTo(identity);

    // A retry of the job with the same key, under a fresh token of the same job: the first answer again.
    String retryToken = githubToken("myorg/myapp", SHA, "refs/tags/v1.2.0", "gh-release");
    Resp replay = gateway.send(gateway.request("/api/v1/releases", retryToken).header("Content-Type", "application/json")
        .header("Idempotency-Key", "run-6301876525").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
    assertThat(replay.status()).as(replay.body()).isEqualTo(201);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.data().getString("id")).isEqualTo(created.data().getString("id"));
  }

  @Test
  @DisplayName("a release of another commit, of another repository, or without a sourceRef is a 403 naming what did not match")
  void releaseMustNameTheTokensCommit() {
    create(policy("gh-bound", github, "gh-bound", new JsonObject().put("repository", "myorg/myapp")));
    String token = githubToken("myorg/myapp", SHA, "refs/heads/main", "gh-bound");

    Resp commit = gateway.post("/api/v1/releases", token, release(unique("c"), "myorg/myapp", OTHER_SHA));
    assertThat(commit.status()).as(commit.body()).isEqualTo(403);
    assertThat(commit.error().getString("code")).isEqualTo("SOURCE_REF_MISMATCH");
    assertThat(commit.error().getString("message")).contains("commit", SHA, OTHER_SHA);
    assertThat(commit.error().getJsonObject("details").getString("field")).isEqualTo("sourceRef.commit");

    Resp shortSha = gateway.post("/api/v1/releases", token, release(unique("s"), "myorg/myapp", SHA.substring(0, 12)));
    assertThat(shortSha.status()).isEqualTo(403);

    Resp repository = gateway.post("/api/v1/releases", token, release(unique("r"), "myorg/other-app", SHA));
    assertThat(repository.status()).isEqualTo(403);
    assertThat(repository.error().getJsonObject("details").getString("field")).isEqualTo("sourceRef.repository");
    assertThat(repository.error().getJsonObject("details").getString("expected")).isEqualTo(github.issuer() + "/myorg/myapp");

    Resp otherServer = gateway.post("/api/v1/releases", token, release(unique("h"), "https://github.com/myorg/myapp", SHA));
    assertThat(otherServer.status()).isEqualTo(403);
    assertThat(otherServer.error().getJsonObject("details").getString("field")).isEqualTo("sourceRef.repository");

    Resp missing = gateway.post("/api/v1/releases", token, release(unique("m"), null, null));
    assertThat(missing.status()).isEqualTo(403);
    assertThat(missing.error().getString("code")).isEqualTo("SOURCE_REF_REQUIRED");
    assertThat(gateway.get("/api/v1/releases?limit=200", ADMIN).json().getJsonArray("data").stream()
        .map(r -> ((JsonObject) r).getString("createdBy"))).doesNotContain("ci:gh-bound");
  }

  @Test
  @DisplayName("with bindSourceRef false, a matching job releases without a sourceRef")
  void unboundPolicy() {
    create(policy("gh-unbound", github, "gh-unbound", new JsonObject().put("repository", "myorg/myapp"))
        .put("bindSourceRef", false));
    Resp r = gateway.post("/api/v1/releases", githubToken("myorg/myapp", SHA, "refs/heads/main", "gh-unbound"),
        release(unique("unbound"), null, null));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.data().getJsonObject("createdByIdentity").getString("commit")).isEqualTo(SHA);
  }

  @Test
  @DisplayName("a token whose claims match no policy is a 401 naming the issuer, the claim and the token's value, never the token, "
      + "the policy or its pattern")
  void claimMismatchIsNamed() {
    create(policy("gh-tags-only", github, "gh-tags", new JsonObject().put("repository", "myorg/myapp")
        .put("ref", "refs/tags/v*")));
    String branchToken = githubToken("myorg/myapp", SHA, "refs/heads/main", "gh-tags");
    Resp r = gateway.get("/api/v1/components", branchToken);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error().getString("message")).contains(github.issuer(), "ref (token has 'refs/heads/main')")
        .doesNotContain("gh-tags-only").doesNotContain("refs/tags/v*").doesNotContain("repository");
    JsonObject mismatch = r.error().getJsonObject("details").getJsonArray("claims").getJsonObject(0);
    assertThat(mismatch.getString("claim")).isEqualTo("ref");
    assertThat(mismatch.getString("got")).isEqualTo("refs/heads/main");
    assertThat(r.body()).doesNotContain("gh-tags-only").doesNotContain("refs/tags/v*");
    assertThat(r.body()).doesNotContain(branchToken).doesNotContain(branchToken.substring(branchToken.lastIndexOf('.') + 1));

    // The glob: any tag starting with v, and nothing else.
    assertThat(gateway.get("/api/v1/components", githubToken("myorg/myapp", SHA, "refs/tags/v2.0.0-rc.1", "gh-tags"))
        .status()).isEqualTo(200);
    assertThat(gateway.get("/api/v1/components", githubToken("myorg/myapp", SHA, "refs/tags/x2", "gh-tags"))
        .status()).isEqualTo(401);
    assertThat(gateway.get("/api/v1/components", githubToken("myorg/myapp-fork", SHA, "refs/tags/v2", "gh-tags"))
        .status()).isEqualTo(401);
  }

  @Test
  @DisplayName("a GitLab CI token matches a project_path policy and releases its commit on the instance, recording pipeline and job")
  void gitlabToken() {
    create(new JsonObject().put("name", "gl-release").put("issuer", gitlab.issuer()).put("audience", "gl-release")
        .put("claims", new JsonObject().put("project_path", "mygroup/sub/myapp").put("ref_type", "tag"))
        .put("permissions", new JsonArray().add("release:create").add(new JsonObject().put("resource", "release")
            .put("action", "read"))));
    String token = gitlab.mint(gitlab.gitlabClaims("mygroup/sub/myapp", SHA, "v1.2.0", "tag", "gl-release"));
    Resp created = gateway.post("/api/v1/releases", token,
        release(unique("myapp-gl"), gitlab.issuer() + "/mygroup/sub/myapp", SHA));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonObject identity = created.data().getJsonObject("createdByIdentity");
    assertThat(identity.getString("repository")).isEqualTo("mygroup/sub/myapp");
    assertThat(identity.getString("runId")).isEqualTo("574");
    assertThat(identity.getString("jobId")).isEqualTo("302");
    assertThat(identity.getString("workflowRef")).endsWith("/mygroup/sub/myapp//.gitlab-ci.yml@refs/heads/main");
    assertThat(identity.getString("subject")).isEqualTo("project_path:mygroup/sub/myapp:ref_type:tag:ref:v1.2.0");

    String branch = gitlab.mint(gitlab.gitlabClaims("mygroup/sub/myapp", SHA, "main", "branch", "gl-release"));
    Resp refused = gateway.post("/api/v1/releases", branch, release(unique("gl-b"), "mygroup/sub/myapp", SHA));
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.error().getString("message")).contains("ref_type");
  }

  @Test
  @DisplayName("a token for another audience is a 401 naming the audience it has, not the one expected")
  void wrongAudience() {
    create(policy("gh-aud", github, "gh-aud", new JsonObject().put("repository", "myorg/myapp")));
    assertThat(gateway.get("/api/v1/components", githubToken("myorg/myapp", SHA, "refs/heads/main", "gh-aud"))
        .status()).isEqualTo(200);
    Resp r = gateway.get("/api/v1/components", githubToken("myorg/myapp", SHA, "refs/heads/main", "some-other-service"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error().getString("message")).contains("aud (token has 'some-other-service')")
        .doesNotContain("'gh-aud'");
    JsonObject twoAudiences = github.githubClaims("myorg/myapp", SHA, "refs/heads/main", "gh-aud")
        .put("aud", new JsonArray().add("gh-aud").add("some-other-service"));
    assertThat(gateway.get("/api/v1/components", github.mint(twoAudiences)).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("expired, unsigned (alg none), HS256-with-the-public-key and other-key tokens are 401s that do not say which check failed")
  void forgeriesAndExpiredTokens() {
    create(policy("gh-forgery", github, "gh-forgery", new JsonObject().put("repository", "myorg/myapp")));
    JsonObject claims = github.githubClaims("myorg/myapp", SHA, "refs/heads/main", "gh-forgery");
    assertThat(gateway.get("/api/v1/components", github.mint(claims)).status()).isEqualTo(200);

    long now = System.currentTimeMillis() / 1000;
    JsonObject expired = claims.copy().put("iat", now - 600).put("nbf", now - 600).put("exp", now - 60);
    JsonObject noExp = claims.copy();
    noExp.remove("exp");
    Jwts impostor = new Jwts("ci-key-1");
    for (String forged : new String[] {
        github.mint(expired),
        github.mint(noExp),
        github.keys().unsignedToken(claims),
        github.keys().hs256WithPublicKey(claims),
        impostor.signClaims(claims)}) {
      Resp r = gateway.get("/api/v1/components", forged);
      assertThat(r.status()).as(forged).isEqualTo(401);
      assertThat(r.error().getString("message")).isEqualTo("bearer JWT is invalid or expired");
    }
  }

  @Test
  @DisplayName("every matching policy's rights are granted together; a job matching only a policy without release:create gets 403")
  void matchingPoliciesUnion() {
    create(policy("union-read", github, "union", new JsonObject().put("repository", "myorg/myapp"))
        .put("roles", new JsonArray().add("viewer")));
    create(policy("union-release", github, "union", new JsonObject().put("repository", "myorg/myapp")
        .put("ref", "refs/tags/*")).put("roles", new JsonArray()).put("permissions", new JsonArray().add("release:create")));

    String tag = githubToken("myorg/myapp", SHA, "refs/tags/v3", "union");
    assertThat(gateway.get("/api/v1/environments", tag).status()).isEqualTo(200);
    Resp created = gateway.post("/api/v1/releases", tag, release(unique("union"), "myorg/myapp", SHA));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.data().getString("createdBy")).isEqualTo("ci:union-read,union-release");

    String branch = githubToken("myorg/myapp", SHA, "refs/heads/main", "union");
    assertThat(gateway.get("/api/v1/environments", branch).status()).isEqualTo(200);
    Resp denied = gateway.post("/api/v1/releases", branch, release(unique("union-b"), "myorg/myapp", SHA));
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.error().getJsonObject("details").getString("requiredPermission")).isEqualTo("release:create");
  }

  @Test
  @DisplayName("a deleted policy trusts nothing from the next request on")
  void deletedPolicyTrustsNothing() {
    String id = create(policy("gh-deleted", github, "gh-deleted", new JsonObject().put("repository", "myorg/myapp")))
        .getString("id");
    String token = githubToken("myorg/myapp", SHA, "refs/heads/main", "gh-deleted");
    assertThat(gateway.get("/api/v1/components", token).status()).isEqualTo(200);
    assertThat(gateway.delete(POLICIES + "/" + id, ADMIN).status()).isEqualTo(204);
    assertThat(gateway.get("/api/v1/components", token).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("the issuer's discovery document and keys are fetched once and kept for later tokens")
  void discoveryIsCached() {
    try (FakeOidcIssuer issuer = new FakeOidcIssuer()) {
      create(policy("cached", issuer, "cached", new JsonObject().put("repository", "myorg/myapp")));
      for (int i = 0; i < 3; i++) {
        String token = issuer.mint(issuer.githubClaims("myorg/myapp", SHA, "refs/heads/main", "cached"));
        assertThat(gateway.get("/api/v1/components", token).status()).isEqualTo(200);
      }
      assertThat(issuer.discoveryRequests()).isEqualTo(1);
      assertThat(issuer.jwksRequests()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a rotated key is fetched when a token names it, but tokens with made-up key ids cannot make the gateway flood the issuer")
  void unknownKeyIdsRefetchAtMostOncePerInterval() {
    try (FakeOidcIssuer issuer = new FakeOidcIssuer()) {
      create(policy("rotating", issuer, "rotating", new JsonObject().put("repository", "myorg/myapp")));
      JsonObject claims = issuer.githubClaims("myorg/myapp", SHA, "refs/heads/main", "rotating");
      assertThat(gateway.get("/api/v1/components", issuer.mint(claims)).status()).isEqualTo(200);

      long started = System.nanoTime();
      int before = issuer.jwksRequests();
      for (int i = 0; i < 20; i++) {
        String madeUp = issuer.keys().signClaimsAs("kid-" + UUID.randomUUID(), claims);
        assertThat(gateway.get("/api/v1/components", madeUp).status()).isEqualTo(401);
      }
      long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      // ciTrust.unknownKeyRefetch is 1 s here: at most one fetch per started second.
      assertThat(issuer.jwksRequests() - before).isLessThanOrEqualTo((int) seconds + 1).isLessThan(20);

      issuer.rotate();
      String rotated = issuer.mint(claims);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> gateway.get("/api/v1/components", rotated).status() == 200);
      assertThat(issuer.discoveryRequests()).isEqualTo(1);
    }
  }
}
