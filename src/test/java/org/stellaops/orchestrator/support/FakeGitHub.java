package org.stellaops.orchestrator.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GitHub REST API stand-in (API version 2022-11-28) on a random loopback port that refuses what GitHub refuses:
 * <ul>
 *   <li>No {@code User-Agent}: 403 "Request forbidden by administrative rules…"
 *       (https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent).</li>
 *   <li>A wrong token: 401 {@code {"message":"Bad credentials"}}; an exhausted primary rate limit: 403 with
 *       {@code x-ratelimit-remaining: 0} and {@code x-ratelimit-reset}
 *       (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).</li>
 *   <li>{@code GET /repos/{o}/{r}} with {@code default_branch} (https://docs.github.com/en/rest/repos/repos#get-a-repository);
 *       {@code GET /repos/{o}/{r}/contents/{path}} with base64 {@code content} and the blob {@code sha}
 *       (https://docs.github.com/en/rest/repos/contents#get-repository-content).</li>
 *   <li>{@code POST …/actions/workflows/{file}/dispatches}
 *       (https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event): 422 when {@code ref}
 *       is missing, when the workflow has no {@code workflow_dispatch} trigger, for "Unexpected inputs provided"
 *       and for more inputs than the cap (25 since https://github.blog/changelog/2025-12-04-actions-workflow-dispatch-workflows-now-support-25-inputs/,
 *       10 on older GitHub Enterprise Server); else 200 with the run details when asked, 204 otherwise.</li>
 *   <li>{@code GET /repos/{o}/{r}/actions/runs/{id}}: a run that has completed successfully.</li>
 *   <li>{@code POST /repos/{o}/{r}/deployments} → 201 with the deployment
 *       (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment), 422 "No ref found for: …"
 *       for a ref that is neither a branch the fake knows nor a commit sha;
 *       {@code POST …/deployments/{id}/statuses} → 201 (https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status),
 *       404 for a deployment that does not exist.</li>
 *   <li>A GitHub App ({@link #app}): {@code POST /app/installations/{id}/access_tokens} takes the App's RS256 JWT
 *       (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app):
 *       401 "A JSON web token could not be decoded" for a bad signature or issuer, 401 when {@code exp} is more
 *       than ten minutes after {@code iat}, 404 for another installation; else 201 with an installation token
 *       valid for an hour, which the fake then accepts like {@link #TOKEN}
 *       (https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app).</li>
 *   <li>Every JSON body is validated against the request-body schema GitHub publishes for its operation
 *       ({@link GitHubRequestBodies}); a body the schema rejects gets GitHub's 422 "Invalid request." and is
 *       recorded in {@link #refusals()}.</li>
 *   <li>{@code GET /meta} (https://docs.github.com/en/rest/meta/meta#get-github-meta-information) and
 *       {@code GET /rate_limit} (https://docs.github.com/en/rest/rate-limit/rate-limit). github.com sends the
 *       {@code x-ratelimit-*} headers on every answer; {@link #enterpriseServer} behaves like a default GitHub
 *       Enterprise Server 3.14: no rate-limit headers, {@code installed_version} in {@code /meta}, and
 *       {@code /rate_limit} answers 404 "Rate limiting is not enabled."
 *       (https://docs.github.com/en/enterprise-server@3.14/rest/rate-limit/rate-limit).</li>
 * </ul>
 * Workflow files are written by the fake from the declared inputs, with the {@code on:} key spelled as GitHub
 * users write it.
 */
public final class FakeGitHub implements AutoCloseable {

  public static final String TOKEN = "ghp_fake_strict_token";
  private static final String DOCS = "https://docs.github.com/rest";

  /** A dispatch GitHub accepted: the workflow file, ref and inputs. */
  public record Dispatch(String repo, String workflow, String ref, JsonObject inputs, long runId) {}

  private record Workflow(boolean dispatchable, Set<String> inputs) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, String> defaultBranches = new ConcurrentHashMap<>();
  private final Map<String, Workflow> workflows = new ConcurrentHashMap<>();
  private final List<Dispatch> dispatches = new CopyOnWriteArrayList<>();
  private final List<String> refusals = new CopyOnWriteArrayList<>();
  private final AtomicLong nextRunId = new AtomicLong(7_000_000);
  private final AtomicInteger rateLimitedCalls = new AtomicInteger();
  private final AtomicInteger contentReads = new AtomicInteger();
  private volatile int maxInputs = 25;
  private volatile String enterpriseVersion;
  private final AtomicLong nextDeploymentId = new AtomicLong(1_000);
  private final Map<Long, JsonObject> deployments = new ConcurrentHashMap<>();
  private final List<JsonObject> deploymentStatuses = new CopyOnWriteArrayList<>();
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final Set<String> installationTokens = ConcurrentHashMap.newKeySet();
  private volatile App app;

  private record App(String appId, java.security.PublicKey key, long installationId) {}

  public FakeGitHub() {
    server = LoopbackServer.listen(vertx, this::handle);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** A repository {@code owner/repo}; {@code defaultBranch} null for an empty repository. */
  public FakeGitHub repo(String repo, String defaultBranch) {
    defaultBranches.put(repo, defaultBranch == null ? "" : defaultBranch);
    return this;
  }

  /** {@code .github/workflows/{file}} in {@code repo} with a workflow_dispatch trigger declaring {@code inputs}. */
  public FakeGitHub workflow(String repo, String file, String... inputs) {
    workflows.put(repo + "/" + file, new Workflow(true, Set.of(inputs)));
    return this;
  }

  /** A workflow that runs on push only. */
  public FakeGitHub pushOnlyWorkflow(String repo, String file) {
    workflows.put(repo + "/" + file, new Workflow(false, Set.of()));
    return this;
  }

  /** The input cap an older GitHub Enterprise Server enforces (10). */
  public FakeGitHub maxInputs(int max) {
    maxInputs = max;
    return this;
  }

  /** A GitHub App with this id and public key, installed as {@code installationId}. */
  public FakeGitHub app(String appId, java.security.PublicKey key, long installationId) {
    app = new App(appId, key, installationId);
    return this;
  }

  /** The installation tokens handed out, in order. */
  public Set<String> installationTokens() {
    return installationTokens;
  }

  /** Behave like a GitHub Enterprise Server of this version with rate limiting off (its default). */
  public FakeGitHub enterpriseServer(String version) {
    enterpriseVersion = version;
    return this;
  }

  /** Deployments created, in order: the request body plus {@code id} and {@code repo}. */
  public List<JsonObject> deployments() {
    return deployments.values().stream().sorted(java.util.Comparator.comparingLong(d -> d.getLong("id"))).toList();
  }

  /** Deployment statuses created, in order: the request body plus {@code deployment_id} and {@code repo}. */
  public List<JsonObject> deploymentStatuses() {
    return deploymentStatuses;
  }

  /** {@code METHOD path} of every request, in order. */
  public List<String> requests() {
    return paths;
  }

  /** The next {@code calls} requests meet an exhausted primary rate limit. */
  public void exhaustRateLimit(int calls) {
    rateLimitedCalls.set(calls);
  }

  public List<Dispatch> dispatches() {
    return dispatches;
  }

  /** The messages of every 422 the fake answered with (a refused dispatch, deployment or invalid body). */
  public List<String> refusals() {
    return refusals;
  }

  public int contentReads() {
    return contentReads.get();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      paths.add(req.method().name() + " " + req.path());
      if (enterpriseVersion == null) {
        // github.com's headers on every answer
        // (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit).
        req.response().putHeader("x-ratelimit-limit", "5000").putHeader("x-ratelimit-remaining", "4999")
            .putHeader("x-ratelimit-used", "1").putHeader("x-ratelimit-resource", "core")
            .putHeader("x-ratelimit-reset", String.valueOf(System.currentTimeMillis() / 1000 + 3600));
      }
      String userAgent = req.getHeader("User-Agent");
      if (userAgent == null || userAgent.isBlank()) {
        req.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
            .end("Request forbidden by administrative rules. Please make sure your request has a User-Agent header"
                + " (https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent)."
                + " Check https://developer.github.com for other possible causes.\n");
        return;
      }
      String authorization = String.valueOf(req.getHeader("Authorization"));
      if (req.path().startsWith("/app/") && authorization.startsWith("Bearer ")) {
        installationToken(req, authorization.substring(7), req.path().split("/"), body);
        return;
      }
      if (!("Bearer " + TOKEN).equals(authorization)
          && !(authorization.startsWith("Bearer ") && installationTokens.contains(authorization.substring(7)))) {
        json(req, 401, error("Bad credentials", DOCS, 401));
        return;
      }
      if (enterpriseVersion == null && rateLimitedCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        long reset = System.currentTimeMillis() / 1000 + 60;
        req.response().putHeader("x-ratelimit-limit", "5000").putHeader("x-ratelimit-remaining", "0")
            .putHeader("x-ratelimit-used", "5000").putHeader("x-ratelimit-reset", String.valueOf(reset))
            .putHeader("x-ratelimit-resource", "core");
        json(req, 403, error("API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help,"
            + " please include the request ID.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api", 403));
        return;
      }
      String[] p = req.path().split("/");
      String method = req.method().name();
      JsonObject json;
      try {
        json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (io.vertx.core.json.DecodeException e) {
        // https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#problems-parsing-json
        json(req, 400, error("Problems parsing JSON", DOCS, 400));
        return;
      }
      String operation = operation(method, p);
      if (operation != null) {
        java.util.Optional<String> invalid = GitHubRequestBodies.refusal(operation, json);
        if (invalid.isPresent()) {
          refuse(req, "Invalid request.\n\n" + invalid.get(), DOCS);
          return;
        }
      }
      if (req.path().equals("/meta") && method.equals("GET")) {
        meta(req);
      } else if (req.path().equals("/rate_limit") && method.equals("GET")) {
        rateLimit(req);
      } else if (p.length == 5 && p[1].equals("repos") && p[4].equals("deployments") && method.equals("POST")) {
        createDeployment(req, p[2] + "/" + p[3], json);
      } else if (p.length == 7 && p[1].equals("repos") && p[4].equals("deployments") && p[6].equals("statuses")
          && method.equals("POST")) {
        createDeploymentStatus(req, p[2] + "/" + p[3], p[5], json);
      } else if (p.length == 4 && p[1].equals("repos") && method.equals("GET")) {
        repository(req, p[2] + "/" + p[3]);
      } else if (p.length == 7 && p[4].equals("contents") && p[5].equals(".github") && method.equals("GET")) {
        html404(req, "repos/contents#get-repository-content");
      } else if (p.length == 8 && p[4].equals("contents") && p[5].equals(".github") && p[6].equals("workflows")
          && method.equals("GET")) {
        contents(req, p[2] + "/" + p[3], p[7]);
      } else if (p.length == 8 && p[4].equals("actions") && p[5].equals("workflows") && p[7].equals("dispatches")
          && method.equals("POST")) {
        dispatch(req, p[2] + "/" + p[3], p[6], json);
      } else if (p.length == 7 && p[4].equals("actions") && p[5].equals("runs") && method.equals("GET")) {
        json(req, 200, new JsonObject().put("id", Long.parseLong(p[6])).put("status", "completed")
            .put("conclusion", "success").put("event", "workflow_dispatch")
            .put("html_url", "https://github.com/" + p[2] + "/" + p[3] + "/actions/runs/" + p[6])
            .put("updated_at", java.time.Instant.now().toString()));
      } else {
        html404(req, "");
      }
    });
  }

  private void installationToken(HttpServerRequest req, String jwt, String[] p, io.vertx.core.buffer.Buffer body) {
    String documentation = "https://docs.github.com/rest";
    if (body.length() > 0) {
      java.util.Optional<String> invalid = GitHubRequestBodies.refusal("apps/create-installation-access-token",
          body.toJsonObject());
      if (invalid.isPresent()) {
        refuse(req, "Invalid request.\n\n" + invalid.get(), documentation);
        return;
      }
    }
    App known = app;
    String[] parts = jwt.split("\\.");
    JsonObject claims;
    try {
      java.security.Signature rsa = java.security.Signature.getInstance("SHA256withRSA");
      rsa.initVerify(known.key());
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
        throw new IllegalArgumentException("signature");
      }
      claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (Exception | Error unreadable) {
      json(req, 401, error("A JSON web token could not be decoded", documentation, 401));
      return;
    }
    if (!known.appId().equals(String.valueOf(claims.getValue("iss")))) {
      json(req, 401, error("A JSON web token could not be decoded", documentation, 401));
      return;
    }
    if (claims.getLong("exp", 0L) - claims.getLong("iat", 0L) > 600) {
      json(req, 401, error("'Expiration time' claim ('exp') is too far in the future", documentation, 401));
      return;
    }
    if (p.length != 5 || !p[2].equals("installations") || !p[4].equals("access_tokens")
        || !p[3].equals(String.valueOf(known.installationId())) || !req.method().name().equals("POST")) {
      html404(req, "apps/apps#create-an-installation-access-token-for-an-app");
      return;
    }
    String token = "ghs_" + java.util.UUID.randomUUID().toString().replace("-", "");
    installationTokens.add(token);
    json(req, 201, new JsonObject().put("token", token)
        .put("expires_at", java.time.Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
        .put("permissions", new JsonObject().put("deployments", "write").put("actions", "write"))
        .put("repository_selection", "all"));
  }

  /** The operation id (as in GitHub's OpenAPI description) of a request that carries a JSON body. */
  private static String operation(String method, String[] p) {
    if (!method.equals("POST") || p.length < 5 || !p[1].equals("repos")) {
      return null;
    }
    if (p.length == 5 && p[4].equals("deployments")) {
      return "repos/create-deployment";
    }
    if (p.length == 7 && p[4].equals("deployments") && p[6].equals("statuses")) {
      return "repos/create-deployment-status";
    }
    if (p.length == 8 && p[4].equals("actions") && p[5].equals("workflows") && p[7].equals("dispatches")) {
      return "actions/create-workflow-dispatch";
    }
    return null;
  }

  private void meta(HttpServerRequest req) {
    JsonObject meta = new JsonObject().put("verifiable_password_authentication", false)
        .put("hooks", new JsonArray().add("192.30.252.0/22"));
    if (enterpriseVersion != null) {
      meta.put("installed_version", enterpriseVersion);
    }
    json(req, 200, meta);
  }

  private void rateLimit(HttpServerRequest req) {
    if (enterpriseVersion != null) {
      json(req, 404, new JsonObject().put("message", "Rate limiting is not enabled.").put("documentation_url",
          "https://docs.github.com/enterprise-server@3.14/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user")
          .put("status", "404"));
      return;
    }
    JsonObject core = new JsonObject().put("limit", 5000).put("remaining", 4999).put("used", 1)
        .put("reset", System.currentTimeMillis() / 1000 + 3600);
    json(req, 200, new JsonObject().put("resources", new JsonObject().put("core", core)).put("rate", core));
  }

  private void createDeployment(HttpServerRequest req, String repo, JsonObject body) {
    String branch = defaultBranches.get(repo);
    if (branch == null) {
      html404(req, "deployments/deployments#create-a-deployment");
      return;
    }
    String ref = body.getString("ref");
    if (!ref.equals(branch) && !ref.matches("[0-9a-f]{7,40}")) {
      refuse(req, "No ref found for: " + ref, "https://docs.github.com/rest/deployments/deployments#create-a-deployment");
      return;
    }
    long id = nextDeploymentId.incrementAndGet();
    deployments.put(id, body.copy().put("id", id).put("repo", repo));
    json(req, 201, new JsonObject().put("id", id).put("sha", ref).put("ref", ref)
        .put("task", body.getString("task", "deploy")).put("environment", body.getString("environment", "production"))
        .put("url", url() + "/repos/" + repo + "/deployments/" + id)
        .put("statuses_url", url() + "/repos/" + repo + "/deployments/" + id + "/statuses"));
  }

  private void createDeploymentStatus(HttpServerRequest req, String repo, String deploymentId, JsonObject body) {
    JsonObject deployment = deploymentId.matches("\\d{1,18}") ? deployments.get(Long.parseLong(deploymentId)) : null;
    if (deployment == null || !repo.equals(deployment.getString("repo"))) {
      html404(req, "deployments/statuses#create-a-deployment-status");
      return;
    }
    deploymentStatuses.add(body.copy().put("deployment_id", deployment.getLong("id")).put("repo", repo));
    json(req, 201, new JsonObject().put("id", deploymentStatuses.size()).put("state", body.getString("state"))
        .put("description", body.getString("description", ""))
        .put("environment_url", body.getString("environment_url", ""))
        .put("log_url", body.getString("log_url", "")));
  }

  private void repository(HttpServerRequest req, String repo) {
    String branch = defaultBranches.get(repo);
    if (branch == null) {
      html404(req, "repos/repos#get-a-repository");
      return;
    }
    json(req, 200, new JsonObject().put("id", 1296269).put("full_name", repo)
        .put("default_branch", branch.isEmpty() ? null : branch));
  }

  private void contents(HttpServerRequest req, String repo, String file) {
    contentReads.incrementAndGet();
    Workflow workflow = workflows.get(repo + "/" + file);
    if (workflow == null) {
      html404(req, "repos/contents#get-repository-content");
      return;
    }
    String yaml = yaml(file, workflow);
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    // The contents API wraps base64 at 60 characters, with a trailing newline.
    String content = Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes) + "\n";
    json(req, 200, new JsonObject().put("type", "file").put("encoding", "base64").put("size", bytes.length)
        .put("name", file).put("path", ".github/workflows/" + file).put("content", content)
        .put("sha", blobSha(bytes)));
  }

  private void dispatch(HttpServerRequest req, String repo, String file, JsonObject body) {
    String documentation = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event";
    Workflow workflow = workflows.get(repo + "/" + file);
    if (workflow == null) {
      html404(req, "actions/workflows#create-a-workflow-dispatch-event");
      return;
    }
    if (body.getString("ref") == null) {
      refuse(req, "Invalid request.\n\n\"ref\" wasn't supplied.", documentation);
      return;
    }
    if (!workflow.dispatchable()) {
      refuse(req, "Workflow does not have 'workflow_dispatch' trigger", documentation);
      return;
    }
    JsonObject inputs = body.getJsonObject("inputs", new JsonObject());
    Set<String> unexpected = new TreeSet<>(inputs.fieldNames());
    unexpected.removeAll(workflow.inputs());
    if (!unexpected.isEmpty()) {
      JsonArray names = new JsonArray();
      unexpected.forEach(names::add);
      refuse(req, "Unexpected inputs provided: " + names.encode(), documentation);
      return;
    }
    if (inputs.size() > maxInputs) {
      refuse(req, "you may only define up to " + maxInputs + " `inputs` for a `workflow_dispatch` event",
          documentation);
      return;
    }
    long runId = nextRunId.incrementAndGet();
    dispatches.add(new Dispatch(repo, file, body.getString("ref"), inputs.copy(), runId));
    if (Boolean.TRUE.equals(body.getBoolean("return_run_details"))) {
      json(req, 200, new JsonObject().put("workflow_run_id", runId)
          .put("run_url", url() + "/repos/" + repo + "/actions/runs/" + runId)
          .put("html_url", "https://github.com/" + repo + "/actions/runs/" + runId));
    } else {
      req.response().setStatusCode(204).end();
    }
  }

  private void refuse(HttpServerRequest req, String message, String documentation) {
    refusals.add(message);
    json(req, 422, error(message, documentation, 422));
  }

  /** A workflow file as people write it: the {@code on:} key unquoted, which YAML 1.1 reads as true. */
  private static String yaml(String file, Workflow workflow) {
    StringBuilder yaml = new StringBuilder("name: ").append(file).append("\non:\n  push:\n    branches: [main]\n");
    if (workflow.dispatchable()) {
      yaml.append("  workflow_dispatch:\n");
      if (!workflow.inputs().isEmpty()) {
        yaml.append("    inputs:\n");
        workflow.inputs().stream().sorted().forEach(input -> yaml.append("      ").append(input)
            .append(":\n        description: ").append(input).append("\n        required: false\n        type: string\n"));
      }
    }
    return yaml.append("jobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n").toString();
  }

  private static String blobSha(byte[] bytes) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha1.digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject error(String message, String documentation, int status) {
    return new JsonObject().put("message", message).put("documentation_url", documentation)
        .put("status", String.valueOf(status));
  }

  private static void html404(HttpServerRequest req, String anchor) {
    json(req, 404, error("Not Found", "https://docs.github.com/rest/" + anchor, 404));
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.encode());
  }

  @Override
  public void close() {
    vertx.close();
  }
}
