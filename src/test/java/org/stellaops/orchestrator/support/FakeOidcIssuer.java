package org.stellaops.orchestrator.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A local OpenID Connect issuer for CI identities, on loopback: it serves the discovery document
 * ({@code /.well-known/openid-configuration}) and its JWKS ({@code /jwks}), mints RS256 ID tokens
 * shaped like the ones GitHub Actions and GitLab CI issue, and plays the GitHub runner's token
 * request endpoint so that {@code core.getIDToken(audience)} of the Actions toolkit works against it.
 *
 * <p>Claim shapes follow the vendors' published references:
 * <ul>
 *   <li>GitHub: https://docs.github.com/en/actions/reference/security/oidc (issuer
 *       {@code https://token.actions.githubusercontent.com}; {@code repository}, {@code sha},
 *       {@code ref}, {@code ref_type}, {@code run_id}, {@code run_attempt}, {@code workflow_ref},
 *       {@code job_workflow_ref}, {@code sub} = {@code repo:OWNER/REPO:ref:REF}).</li>
 *   <li>GitLab: https://docs.gitlab.com/ci/secrets/id_token_authentication/ (issuer = the
 *       instance URL; {@code project_path}, {@code sha}, {@code ref} without {@code refs/} prefix,
 *       {@code ref_type}, {@code pipeline_id}, {@code job_id}, {@code ci_config_ref_uri},
 *       {@code sub} = {@code project_path:GROUP/PROJECT:ref_type:TYPE:ref:REF}).</li>
 * </ul>
 * The runner endpoint follows {@code @actions/core}'s OIDC client
 * (https://github.com/actions/toolkit/blob/main/packages/core/src/oidc-utils.ts): a GET to
 * {@code ACTIONS_ID_TOKEN_REQUEST_URL} with {@code &audience=...} appended and
 * {@code Authorization: Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN}, answered {@code {"value": token}}.
 */
public final class FakeOidcIssuer implements AutoCloseable {

  /** The bearer the runner endpoint expects, as a runner's {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}. */
  public static final String RUNNER_REQUEST_TOKEN = "runner-request-token";

  private final Vertx vertx = Vertx.vertx();
  private final Jwts firstKeys = new Jwts("ci-key-1");
  /** The key tokens are signed with; {@link #rotate} replaces it, and the JWKS then lists both. */
  private volatile Jwts keys = firstKeys;
  private final HttpServer server;
  private final AtomicReference<JsonObject> runnerClaims = new AtomicReference<>(new JsonObject());
  private final AtomicInteger discoveryRequests = new AtomicInteger();
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private final AtomicInteger discoveryPadding = new AtomicInteger();

  public FakeOidcIssuer() {
    try {
      server = vertx.createHttpServer().requestHandler(req -> {
        switch (req.path()) {
          case "/.well-known/openid-configuration" -> {
            discoveryRequests.incrementAndGet();
            JsonObject document = new JsonObject().put("issuer", issuer()).put("jwks_uri", issuer() + "/jwks")
                .put("response_types_supported", new JsonArray().add("id_token"))
                .put("subject_types_supported", new JsonArray().add("public"))
                .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"));
            if (discoveryPadding.get() > 0) {
              document.put("x_padding", "x".repeat(discoveryPadding.get()));
            }
            json(req, 200, document);
          }
          case "/jwks" -> {
            jwksRequests.incrementAndGet();
            json(req, 200, jwks());
          }
          case "/_runner/token" -> {
            String audience = req.getParam("audience");
            if (!("Bearer " + RUNNER_REQUEST_TOKEN).equals(req.getHeader("Authorization"))) {
              json(req, 401, new JsonObject().put("message", "Unauthorized"));
            } else {
              JsonObject claims = runnerClaims.get().copy();
              if (audience != null) {
                claims.put("aud", audience);
              }
              json(req, 200, new JsonObject().put("value", keys.signClaims(claims)));
            }
          }
          default -> json(req, 404, new JsonObject().put("message", "Not Found"));
        }
      }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void json(io.vertx.core.http.HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  /** The issuer URL ({@code iss}), also the base of the discovery document. */
  public String issuer() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The value for a runner's {@code ACTIONS_ID_TOKEN_REQUEST_URL} (the toolkit appends {@code &audience=}). */
  public String runnerRequestUrl() {
    return issuer() + "/_runner/token?api-version=2.0";
  }

  /** Pads the discovery document with {@code bytes} more, as a hostile or broken issuer might. */
  public void padDiscovery(int bytes) {
    discoveryPadding.set(bytes);
  }

  /** The claims the runner endpoint signs next (its {@code aud} is replaced by the requested audience). */
  public void runnerClaims(JsonObject claims) {
    runnerClaims.set(claims.copy());
  }

  /**
   * Rolls the signing key over as an issuer does: a new key ({@code ci-key-2}) signs from now on,
   * and the JWKS publishes it next to the first one.
   */
  public void rotate() {
    keys = new Jwts("ci-key-2");
  }

  private JsonObject jwks() {
    JsonArray published = firstKeys.jwks().getJsonArray("keys").copy();
    if (keys != firstKeys) {
      published.addAll(keys.jwks().getJsonArray("keys"));
    }
    return new JsonObject().put("keys", published);
  }

  /** {@code claims} exactly as given, signed RS256 under the published key. */
  public String mint(JsonObject claims) {
    return keys.signClaims(claims);
  }

  /** The key pair behind this issuer, for forgeries (unsigned, HS256 with the public key). */
  public Jwts keys() {
    return keys;
  }

  public int discoveryRequests() {
    return discoveryRequests.get();
  }

  public int jwksRequests() {
    return jwksRequests.get();
  }

  /** A GitHub Actions ID token's claims for a workflow run on {@code ref} at {@code sha}, valid 5 minutes. */
  public JsonObject githubClaims(String repository, String sha, String ref, String audience) {
    long now = Instant.now().getEpochSecond();
    String owner = repository.substring(0, repository.indexOf('/'));
    String workflowRef = repository + "/.github/workflows/release.yml@" + ref;
    return new JsonObject()
        .put("jti", UUID.randomUUID().toString())
        .put("sub", "repo:" + repository + ":ref:" + ref)
        .put("aud", audience)
        .put("ref", ref)
        .put("sha", sha)
        .put("repository", repository)
        .put("repository_owner", owner)
        .put("repository_owner_id", "65")
        .put("repository_id", "74")
        .put("repository_visibility", "private")
        .put("actor_id", "12")
        .put("actor", "octocat")
        .put("run_id", "6301876525")
        .put("run_number", "10")
        .put("run_attempt", "1")
        .put("runner_environment", "github-hosted")
        .put("workflow", "release")
        .put("head_ref", "")
        .put("base_ref", "")
        .put("event_name", "push")
        .put("ref_type", ref.startsWith("refs/tags/") ? "tag" : "branch")
        .put("ref_protected", "false")
        .put("workflow_ref", workflowRef)
        .put("workflow_sha", sha)
        .put("job_workflow_ref", workflowRef)
        .put("job_workflow_sha", sha)
        .put("iss", issuer())
        .put("nbf", now - 5)
        .put("iat", now)
        .put("exp", now + 300);
  }

  /** A GitLab CI ID token's claims for a job on {@code ref} (a branch or tag name) at {@code sha}, valid 5 minutes. */
  public JsonObject gitlabClaims(String projectPath, String sha, String ref, String refType, String audience) {
    long now = Instant.now().getEpochSecond();
    String namespace = projectPath.substring(0, projectPath.lastIndexOf('/'));
    String host = issuer().replaceFirst("^https?://", "");
    return new JsonObject()
        .put("namespace_id", "72")
        .put("namespace_path", namespace)
        .put("project_id", "20")
        .put("project_path", projectPath)
        .put("user_id", "5")
        .put("user_login", "ci-user")
        .put("user_email", "ci-user@example.com")
        .put("user_access_level", "developer")
        .put("pipeline_id", "574")
        .put("pipeline_source", "push")
        .put("job_id", "302")
        .put("ref", ref)
        .put("ref_type", refType)
        .put("ref_path", ("tag".equals(refType) ? "refs/tags/" : "refs/heads/") + ref)
        .put("ref_protected", "true")
        .put("runner_id", 27)
        .put("runner_environment", "gitlab-hosted")
        .put("sha", sha)
        .put("project_visibility", "private")
        .put("ci_config_ref_uri", host + "/" + projectPath + "//.gitlab-ci.yml@refs/heads/main")
        .put("ci_config_sha", sha)
        .put("jti", UUID.randomUUID().toString())
        .put("iss", issuer())
        .put("iat", now)
        .put("nbf", now - 5)
        .put("exp", now + 300)
        .put("sub", "project_path:" + projectPath + ":ref_type:" + refType + ":ref:" + ref)
        .put("aud", audience);
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
