package org.stellaops.orchestrator.auth;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a CI system's OIDC issuer vouched for in a verified ID token: the issuer, the subject,
 * all of the token's claims, and the CI trust policies that matched it. {@code bindSourceRef}
 * holds when any matching policy binds releases to the token's commit (the strictest wins).
 * {@code components} are the components its releases may pin, the union of the matching
 * policies' lists; null when one of them allows every component.
 *
 * <p>The token's shape tells the vendor: GitHub Actions tokens carry {@code repository} and
 * {@code sha} (https://docs.github.com/en/actions/reference/security/oidc), GitLab CI tokens
 * {@code project_path} and {@code sha} (https://docs.gitlab.com/ci/secrets/id_token_authentication/).
 */
public record CiIdentity(String issuer, String subject, List<String> policies, JsonObject claims,
    boolean bindSourceRef, Set<UUID> components) {

  public static final String GITHUB_REPOSITORY = "repository";
  public static final String GITLAB_PROJECT = "project_path";

  /** The claim naming the repository: {@code repository} (GitHub), {@code project_path} (GitLab), or empty. */
  public Optional<String> repositoryClaim() {
    if (present(GITHUB_REPOSITORY) && present("sha")) {
      return Optional.of(GITHUB_REPOSITORY);
    }
    if (present(GITLAB_PROJECT) && present("sha")) {
      return Optional.of(GITLAB_PROJECT);
    }
    return Optional.empty();
  }

  public String repository() {
    return repositoryClaim().map(this::text).orElse(null);
  }

  public String commit() {
    return text("sha");
  }

  /** The policy names, comma-separated in alphabetical order. */
  public String policy() {
    return String.join(",", policies);
  }

  /**
   * The identity a release records as {@code createdByIdentity}: issuer, subject, policy, the
   * run (GitHub {@code run_id}; GitLab {@code pipeline_id} and {@code job_id}), the workflow
   * definition (GitHub {@code workflow_ref}; GitLab {@code ci_config_ref_uri}), repository and commit.
   */
  public JsonObject record() {
    boolean gitlab = GITLAB_PROJECT.equals(repositoryClaim().orElse(null));
    JsonObject record = new JsonObject()
        .put("issuer", issuer)
        .put("subject", subject)
        .put("policy", policy())
        .put("runId", text(gitlab ? "pipeline_id" : "run_id"))
        .put("workflowRef", text(gitlab ? "ci_config_ref_uri" : "workflow_ref"))
        .put("repository", repository())
        .put("commit", commit());
    if (gitlab) {
      record.put("jobId", text("job_id"));
    }
    return record;
  }

  private boolean present(String claim) {
    String value = text(claim);
    return value != null && !value.isBlank();
  }

  /** A claim as text: strings as they are, numbers and booleans written out, anything else null. */
  public String text(String claim) {
    Object value = claims.getValue(claim);
    return value instanceof String || value instanceof Number || value instanceof Boolean
        ? String.valueOf(value) : null;
  }
}
