package org.stellaops.orchestrator.citrust;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import org.stellaops.orchestrator.auth.CiIdentity;

/**
 * Binds a release created by a CI identity to the commit the identity's token was issued for:
 * the release's {@code sourceRef.repository} and {@code sourceRef.commit} must name the token's
 * repository ({@code repository} on GitHub, {@code project_path} on GitLab) and its {@code sha}.
 * A job can then release only what it was built from, whatever else its policy lets it do.
 */
public final class SourceBinding {

  /** GitHub.com's Actions issuer: https://docs.github.com/en/actions/reference/security/oidc */
  static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
  /**
   * GitHub Enterprise Server's issuer path: https://HOST/_services/token
   * (https://docs.github.com/en/enterprise-server@latest/actions/reference/security/oidc).
   */
  static final String GHES_ISSUER_PATH = "/_services/token";

  private SourceBinding() {}

  /** Why a release cannot be created: a code (the error's), the field, what was expected and what was given. */
  public record Refusal(String code, String field, String expected, String got, String message) {

    public JsonObject details() {
      return new JsonObject().put("field", field).put("expected", expected).put("got", got);
    }
  }

  /** Why {@code sourceRef} does not name the identity's repository and commit; empty when it does. Pure. */
  public static Optional<Refusal> refusal(CiIdentity identity, JsonObject sourceRef) {
    Optional<String> claim = identity.repositoryClaim();
    if (claim.isEmpty()) {
      return Optional.of(new Refusal("SOURCE_REF_UNVERIFIABLE", "sourceRef", "a token with repository and sha "
          + "(GitHub) or project_path and sha (GitLab)", null, "the CI trust policy " + identity.policy()
          + " binds releases to the token's commit, but this token names no repository and commit to bind to"));
    }
    boolean github = claim.get().equals(CiIdentity.GITHUB_REPOSITORY);
    String server = serverUrl(identity.issuer(), github);
    String expectedRepository = server + "/" + identity.repository();
    if (sourceRef == null) {
      return Optional.of(new Refusal("SOURCE_REF_REQUIRED", "sourceRef", expectedRepository + "@" + identity.commit(),
          null, "a release created by a CI identity must carry the sourceRef it was built from: repository "
              + expectedRepository + " at commit " + identity.commit()));
    }
    String repository = sourceRef.getString("repository");
    Optional<String> path = repositoryPath(repository, server);
    if (path.isEmpty() || !path.get().equals(identity.repository().toLowerCase(Locale.ROOT))) {
      return Optional.of(new Refusal("SOURCE_REF_MISMATCH", "sourceRef.repository", expectedRepository, repository,
          "sourceRef.repository must be the repository the CI token was issued for (" + claim.get() + " claim): "
              + "expected " + expectedRepository + ", got " + repository));
    }
    String commit = sourceRef.getString("commit");
    if (commit == null || !commit.equalsIgnoreCase(identity.commit())) {
      return Optional.of(new Refusal("SOURCE_REF_MISMATCH", "sourceRef.commit", identity.commit(), commit,
          "sourceRef.commit must be the full SHA of the commit the CI token was issued for (sha claim): "
              + "expected " + identity.commit() + ", got " + commit));
    }
    return Optional.empty();
  }

  /**
   * The web address of the forge whose repositories a token names. GitLab: the issuer, which is the
   * instance URL. GitHub: {@code https://github.com} for GitHub.com's issuer, {@code https://HOST}
   * for GitHub Enterprise Server's {@code https://HOST/_services/token}, and the issuer's own origin
   * for any other. Pure.
   */
  static String serverUrl(String issuer, boolean github) {
    String trimmed = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    if (!github) {
      return trimmed;
    }
    if (trimmed.equals(GITHUB_ISSUER)) {
      return "https://github.com";
    }
    try {
      URI uri = new URI(trimmed);
      return uri.getScheme() + "://" + uri.getRawAuthority();
    } catch (URISyntaxException e) {
      return trimmed;
    }
  }

  /**
   * The repository path a {@code sourceRef.repository} names on {@code server}, lower-cased, with
   * any {@code .git} suffix and surrounding slashes removed: {@code owner/repo},
   * {@code https://server/owner/repo} and {@code https://server/owner/repo.git} all give
   * {@code owner/repo}. Hosts and paths compare case-insensitively, as GitHub and GitLab route
   * them. Empty for another host or port, credentials, a query or fragment, or fewer than two
   * path segments. Pure.
   */
  static Optional<String> repositoryPath(String given, String server) {
    if (given == null) {
      return Optional.empty();
    }
    String path = given.trim();
    if (path.contains("://")) {
      URI uri;
      URI base;
      try {
        uri = new URI(path);
        base = new URI(server);
      } catch (URISyntaxException e) {
        return Optional.empty();
      }
      String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null
          || !uri.getHost().equalsIgnoreCase(base.getHost()) || uri.getPort() != base.getPort()
          || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        return Optional.empty();
      }
      String prefix = stripSlashes(base.getPath() == null ? "" : base.getPath()).toLowerCase(Locale.ROOT);
      path = stripSlashes(uri.getPath());
      if (!prefix.isEmpty()) {
        if (!path.toLowerCase(Locale.ROOT).startsWith(prefix + "/")) {
          return Optional.empty();
        }
        path = path.substring(prefix.length() + 1);
      }
    } else if (path.contains(":") || path.startsWith("/")) {
      return Optional.empty();
    }
    path = stripSlashes(path);
    if (path.toLowerCase(Locale.ROOT).endsWith(".git")) {
      path = path.substring(0, path.length() - 4);
    }
    if (path.split("/", -1).length < 2 || path.contains("//")) {
      return Optional.empty();
    }
    return Optional.of(path.toLowerCase(Locale.ROOT));
  }

  private static String stripSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }
}
