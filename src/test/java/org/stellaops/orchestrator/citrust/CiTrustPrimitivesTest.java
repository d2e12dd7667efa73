package org.stellaops.orchestrator.citrust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.auth.CiIdentity;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;

/** The pure decisions behind CI trust: claim globs, repository names, discovery checks, policy matching. */
class CiTrustPrimitivesTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @Test
  @DisplayName("a claim pattern is an exact value, or a glob where * is any run (slashes too, or nothing) and ? one character")
  void claimPatterns() {
    assertThat(ClaimPatterns.matches("myorg/myapp", "myorg/myapp")).isTrue();
    assertThat(ClaimPatterns.matches("myorg/myapp", "myorg/myapp2")).isFalse();
    assertThat(ClaimPatterns.matches("myorg/myapp", "MyOrg/myapp")).isFalse();
    assertThat(ClaimPatterns.matches("refs/tags/v*", "refs/tags/v1.2.0")).isTrue();
    assertThat(ClaimPatterns.matches("refs/tags/v*", "refs/tags/v")).isTrue();
    assertThat(ClaimPatterns.matches("refs/tags/v*", "refs/tags/release/v1")).isFalse();
    assertThat(ClaimPatterns.matches("refs/*", "refs/heads/feature/x")).isTrue();
    assertThat(ClaimPatterns.matches("v?.0", "v2.0")).isTrue();
    assertThat(ClaimPatterns.matches("v?.0", "v10.0")).isFalse();
    assertThat(ClaimPatterns.matches("*/myapp", "myorg/myapp")).isTrue();
    assertThat(ClaimPatterns.matches("a*b*c", "a-b-b-c")).isTrue();
    assertThat(ClaimPatterns.matches("a*b*c", "a-b-b-d")).isFalse();
    assertThat(ClaimPatterns.matches("", "")).isTrue();
    assertThat(ClaimPatterns.matches("", "x")).isFalse();
    assertThat(ClaimPatterns.matchesEverything("**")).isTrue();
    assertThat(ClaimPatterns.matchesEverything("*/*")).isFalse();
  }

  @Test
  @DisplayName("a hostile pattern against a long value answers at once (no regular expression, no exponential backtracking)")
  void claimPatternsAreLinear() {
    String pattern = "*a".repeat(100) + "b";
    String value = "a".repeat(10_000);
    long started = System.nanoTime();
    assertThat(ClaimPatterns.matches(pattern, value)).isFalse();
    assertThat(System.nanoTime() - started).isLessThan(2_000_000_000L);
  }

  @Test
  @DisplayName("sourceRef.repository may be owner/repo, a URL on the token's server, with .git or a trailing slash, in any case")
  void repositoryPaths() {
    String server = "https://github.com";
    assertThat(SourceBinding.repositoryPath("myorg/myapp", server)).contains("myorg/myapp");
    assertThat(SourceBinding.repositoryPath("MyOrg/MyApp.git", server)).contains("myorg/myapp");
    assertThat(SourceBinding.repositoryPath("https://github.com/myorg/myapp", server)).contains("myorg/myapp");
    assertThat(SourceBinding.repositoryPath("https://GitHub.com/MyOrg/myapp.git/", server)).contains("myorg/myapp");
    assertThat(SourceBinding.repositoryPath("https://evil.example.com/myorg/myapp", server)).isEmpty();
    assertThat(SourceBinding.repositoryPath("https://github.com:8443/myorg/myapp", server)).isEmpty();
    assertThat(SourceBinding.repositoryPath("https://user@github.com/myorg/myapp", server)).isEmpty();
    assertThat(SourceBinding.repositoryPath("https://github.com/myorg/myapp?x=1", server)).isEmpty();
    assertThat(SourceBinding.repositoryPath("ssh://git@github.com/myorg/myapp", server)).isEmpty();
    assertThat(SourceBinding.repositoryPath("git@github.com:myorg/myapp.git", server)).isEmpty();
    assertThat(SourceBinding.repositoryPath("myapp", server)).isEmpty();
    assertThat(SourceBinding.repositoryPath("myorg//myapp", server)).isEmpty();
    // GitLab under a relative URL: the instance's path is part of the server, not of the project.
    String gitlab = "https://example.com/gitlab";
    assertThat(SourceBinding.repositoryPath("https://example.com/gitlab/group/sub/app", gitlab)).contains("group/sub/app");
    assertThat(SourceBinding.repositoryPath("https://example.com/group/sub/app", gitlab)).isEmpty();
  }

  @Test
  @DisplayName("the forge's address comes from the issuer: github.com for GitHub's, the host for GHES, the issuer's origin otherwise, the instance for GitLab")
  void serverUrls() {
    assertThat(SourceBinding.serverUrl("https://token.actions.githubusercontent.com", true)).isEqualTo("https://github.com");
    assertThat(SourceBinding.serverUrl("https://ghe.example.com/_services/token", true)).isEqualTo("https://ghe.example.com");
    assertThat(SourceBinding.serverUrl("http://127.0.0.1:8123", true)).isEqualTo("http://127.0.0.1:8123");
    assertThat(SourceBinding.serverUrl("https://gitlab.example.com/", false)).isEqualTo("https://gitlab.example.com");
    assertThat(SourceBinding.serverUrl("https://example.com/gitlab", false)).isEqualTo("https://example.com/gitlab");
  }

  private static CiIdentity github(JsonObject extra) {
    JsonObject claims = new JsonObject().put("repository", "myorg/myapp").put("sha", SHA).mergeIn(extra);
    return new CiIdentity("https://token.actions.githubusercontent.com", "repo:myorg/myapp:ref:refs/heads/main",
        List.of("p"), claims, true, null);
  }

  private static JsonObject sourceRef(String repository, String commit) {
    return new JsonObject().put("type", "git").put("repository", repository).put("commit", commit);
  }

  @Test
  @DisplayName("a release must name the token's repository and its full commit, hex case aside")
  void sourceBinding() {
    CiIdentity identity = github(new JsonObject());
    assertThat(SourceBinding.refusal(identity, sourceRef("https://github.com/myorg/myapp", SHA.toUpperCase()))).isEmpty();
    assertThat(SourceBinding.refusal(identity, sourceRef("myorg/myapp", SHA.substring(0, 7))).orElseThrow().field())
        .isEqualTo("sourceRef.commit");
    assertThat(SourceBinding.refusal(identity, sourceRef("myorg/other", SHA)).orElseThrow().expected())
        .isEqualTo("https://github.com/myorg/myapp");
    assertThat(SourceBinding.refusal(identity, null).orElseThrow().code()).isEqualTo("SOURCE_REF_REQUIRED");
    CiIdentity noRepository = new CiIdentity("https://ci.example.com", "job", List.of("p"),
        new JsonObject().put("sha", SHA), true, null);
    assertThat(SourceBinding.refusal(noRepository, sourceRef("myorg/myapp", SHA)).orElseThrow().code())
        .isEqualTo("SOURCE_REF_UNVERIFIABLE");
    CiIdentity gitlab = new CiIdentity("https://gitlab.example.com", "project_path:g/p:ref_type:tag:ref:v1", List.of("p"),
        new JsonObject().put("project_path", "g/p").put("sha", SHA).put("pipeline_id", "574").put("job_id", "302"), true,
        null);
    assertThat(SourceBinding.refusal(gitlab, sourceRef("https://gitlab.example.com/g/p.git", SHA))).isEmpty();
    assertThat(gitlab.record().getString("runId")).isEqualTo("574");
    assertThat(gitlab.record().getString("jobId")).isEqualTo("302");
  }

  @Test
  @DisplayName("a discovery document must name the issuer asked for and an https (or loopback http) jwks_uri")
  void discoveryDocuments() {
    String issuer = "https://token.actions.githubusercontent.com";
    JsonObject good = new JsonObject().put("issuer", issuer).put("jwks_uri", issuer + "/.well-known/jwks");
    assertThat(IssuerKeys.discoveryProblem(good, issuer)).isEmpty();
    assertThat(IssuerKeys.discoveryProblem(good.copy().put("issuer", "https://evil.example.com"), issuer)).get()
        .asString().contains("evil.example.com");
    assertThat(IssuerKeys.discoveryProblem(good.copy().put("issuer", issuer + "/"), issuer)).isPresent();
    assertThat(IssuerKeys.discoveryProblem(good.copy().put("jwks_uri", "http://keys.example.com/jwks"), issuer)).isPresent();
    assertThat(IssuerKeys.discoveryProblem(good.copy().put("jwks_uri", "http://127.0.0.1:9/jwks"), issuer)).isEmpty();
    assertThat(IssuerKeys.discoveryProblem(good.copy().putNull("jwks_uri"), issuer)).isPresent();
    assertThat(IssuerKeys.discoveryProblem(null, issuer)).isPresent();
  }

  private static CiTrustPolicy policy(String name, Map<String, String> claims, String... permissions) {
    return new CiTrustPolicy(UUID.randomUUID(), name, "https://issuer.example.com", "stella", claims, List.of(),
        List.of(permissions).stream().map(Permission::of).toList(), name.startsWith("bind"), null, OffsetDateTime.now(),
        "admin:admin");
  }

  private static CiTrustPolicy allowing(List<UUID> components) {
    CiTrustPolicy p = policy("p", Map.of("repository", "myorg/myapp"), "release:create");
    return new CiTrustPolicy(p.id(), p.name(), p.issuer(), p.audience(), p.claims(), p.roles(), p.permissions(),
        p.bindSourceRef(), components, p.createdAt(), p.createdBy());
  }

  @Test
  @DisplayName("a job may pin the union of its matching policies' components, and every component when one of them has no list")
  void componentAllowlists() {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    UUID c = UUID.randomUUID();
    assertThat(ComponentAllowlist.allowed(List.of(allowing(List.of(a))))).contains(java.util.Set.of(a));
    assertThat(ComponentAllowlist.allowed(List.of(allowing(List.of(a)), allowing(List.of(b, a)))))
        .contains(java.util.Set.of(a, b));
    assertThat(ComponentAllowlist.allowed(List.of(allowing(List.of(a)), allowing(null)))).isEmpty();
    assertThat(ComponentAllowlist.allowed(List.of(allowing(null), allowing(List.of(a))))).isEmpty();

    assertThat(ComponentAllowlist.outside(java.util.Set.of(a, b), List.of(a, b))).isEmpty();
    assertThat(ComponentAllowlist.outside(java.util.Set.of(a), List.of(a, c, b, c))).containsExactly(c, b);
    assertThat(ComponentAllowlist.outside(null, List.of(a, b, c))).isEmpty();
    assertThat(ComponentAllowlist.outside(java.util.Set.of(), List.of(a))).containsExactly(a);
  }

  @Test
  @DisplayName("a verified token carries its matching policies' component allowlists, but not those of policies it does not match")
  void principalsCarryAllowlists() {
    long now = 1_900_000_000L;
    UUID a = UUID.randomUUID();
    CiTrustPolicy matching = allowing(List.of(a));
    CiTrustPolicy other = policy("other", Map.of("repository", "other/*"), "release:create");
    Principal principal = CiTokens.principal(token(now + 60), "https://issuer.example.com", List.of(matching, other), now);
    assertThat(principal.ci().components()).containsExactly(a);
  }

  private static JsonObject token(long exp) {
    return new JsonObject().put("iss", "https://issuer.example.com").put("aud", "stella").put("sub", "job-1")
        .put("exp", exp).put("repository", "myorg/myapp").put("sha", SHA).put("runner_id", 27)
        .put("groups", new JsonArray().add("myorg/myapp"));
  }

  @Test
  @DisplayName("a policy matches an aud equal to its audience (a string or a one-value array) and claims as text; arrays never match")
  void policyMatching() {
    CiTrustPolicy byRepository = policy("p", Map.of("repository", "myorg/*", "runner_id", "27"));
    JsonObject claims = token(Long.MAX_VALUE);
    assertThat(byRepository.mismatches("stella", claims)).isEmpty();
    assertThat(byRepository.mismatches(new JsonArray().add("stella"), claims)).isEmpty();
    assertThat(byRepository.mismatches(new JsonArray().add("stella").add("other"), claims))
        .extracting(CiTrustPolicy.Mismatch::claim).containsExactly("aud");
    assertThat(byRepository.mismatches("stellaX", claims)).extracting(CiTrustPolicy.Mismatch::claim).containsExactly("aud");
    assertThat(policy("q", Map.of("groups", "myorg/myapp")).mismatches("stella", claims))
        .extracting(CiTrustPolicy.Mismatch::got).containsExactly((String) null);
    assertThat(policy("r", Map.of("environment", "production")).mismatches("stella", claims).get(0).toString())
        .isEqualTo("environment expected 'production', got nothing");
  }

  @Test
  @DisplayName("a verified token makes a ci principal with the union of the matching policies' rights, binding if any binds")
  void principals() {
    long now = 1_900_000_000L;
    List<CiTrustPolicy> policies = List.of(policy("b-read", Map.of("repository", "myorg/myapp"), "release:read"),
        policy("bind-create", Map.of("repository", "myorg/*"), "release:create"),
        policy("c-other", Map.of("repository", "other/*"), "*:*"));
    Principal principal = CiTokens.principal(token(now + 60), "https://issuer.example.com", policies, now);
    assertThat(principal.kind()).isEqualTo("ci");
    assertThat(principal.id()).isEqualTo("https://issuer.example.com|job-1");
    assertThat(principal.actor()).isEqualTo("ci:b-read,bind-create");
    assertThat(principal.can(Permission.RELEASE_CREATE)).isTrue();
    assertThat(principal.can(Permission.RELEASE_READ)).isTrue();
    assertThat(principal.can(Permission.COMPONENT_CREATE)).isFalse();
    assertThat(principal.ci().bindSourceRef()).isTrue();

    for (JsonObject bad : new JsonObject[] {
        token(now), token(now - 1), withoutExp(token(now + 60)), token(now + 60).put("exp", "tomorrow"),
        token(now + 60).put("nbf", now + 120), token(now + 60).put("iss", "https://other.example.com"),
        token(now + 60).putNull("sub")}) {
      assertThatThrownBy(() -> CiTokens.principal(bad, "https://issuer.example.com", policies, now))
          .isInstanceOf(ApiException.class).hasMessage(CiTokens.INVALID);
    }
    assertThatThrownBy(() -> CiTokens.principal(token(now + 60).put("repository", "evil/app"),
        "https://issuer.example.com", policies, now))
        .isInstanceOf(ApiException.class).hasMessageContaining("repository (token has 'evil/app')")
        .hasMessageNotContaining("myorg/myapp");
  }

  private static JsonObject withoutExp(JsonObject claims) {
    claims.remove("exp");
    return claims;
  }

  @Test
  @DisplayName("a policy naming the users' identity provider as its issuer is refused: those tokens are users")
  void userIssuerIsNotACiIssuer() {
    JsonObject body = new JsonObject().put("name", "idp").put("issuer", "https://login.example.com")
        .put("audience", "stella").put("claims", new JsonObject().put("repository", "myorg/myapp"))
        .put("roles", new io.vertx.core.json.JsonArray().add("release-creator"));
    assertThatThrownBy(() -> CreateCiTrustPolicy.parse(body, null, java.util.Optional.of("https://login.example.com")))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("issuer: is the issuer of the users' identity provider (jwt.issuer)");
  }

  @Test
  @DisplayName("an owner is pinned by a repository, project or namespace claim without a wildcard up to its first '/'")
  void ownerPinned() {
    assertThat(CreateCiTrustPolicy.ownerPinned(new JsonObject().put("repository", "myorg/myapp"))).isTrue();
    assertThat(CreateCiTrustPolicy.ownerPinned(new JsonObject().put("repository", "myorg/*"))).isTrue();
    assertThat(CreateCiTrustPolicy.ownerPinned(new JsonObject().put("repository_owner_id", "65"))).isTrue();
    assertThat(CreateCiTrustPolicy.ownerPinned(new JsonObject().put("sub", "repo:myorg/*"))).isTrue();
    assertThat(CreateCiTrustPolicy.ownerPinned(new JsonObject().put("repository", "my*/app"))).isFalse();
    assertThat(CreateCiTrustPolicy.ownerPinned(new JsonObject().put("namespace_id", "7?"))).isFalse();
    assertThat(CreateCiTrustPolicy.ownerPinned(new JsonObject().put("ref", "refs/tags/v1"))).isFalse();
  }
}
