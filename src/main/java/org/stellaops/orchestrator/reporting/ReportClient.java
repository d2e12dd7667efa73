package org.stellaops.orchestrator.reporting;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import org.stellaops.orchestrator.integration.IntegrationType;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * Sends one report request to a reporting integration's API with its credentials (a token, or a GitHub App's
 * installation token) and sorts the answer: 2xx succeeds, 429/5xx/network errors are worth retrying, any
 * other refusal is {@link Permanent}. Also where an integration's web and API URLs are derived.
 */
final class ReportClient {

  private final WebClient http;
  private final GitHubAppTokens appTokens;

  ReportClient(WebClient http) {
    this.http = http;
    this.appTokens = new GitHubAppTokens(http, Clock.systemUTC());
  }

  Future<HttpResponse<Buffer>> send(ResolvedIntegration integration, HttpMethod method, String url,
      JsonObject body) {
    Future<String> token = integration.type() == IntegrationType.SCM_GITHUB && GitHubAppTokens.isApp(integration)
        ? appTokens.token(integration, apiUrl(integration))
        : Future.succeededFuture(integration.credential("token"));
    return token.compose(t -> send(integration, method, url, body, t));
  }

  private Future<HttpResponse<Buffer>> send(ResolvedIntegration integration, HttpMethod method, String url,
      JsonObject body, String token) {
    var request = http.requestAbs(method, url).timeout(10_000).putHeader("Content-Type", "application/json");
    if (integration.type() == IntegrationType.SCM_GITHUB) {
      request.putHeader("Accept", "application/vnd.github+json").putHeader("X-GitHub-Api-Version", "2022-11-28");
      if (token != null) {
        request.putHeader("Authorization", "Bearer " + token);
      }
    } else if (token != null) {
      request.putHeader("PRIVATE-TOKEN", token);
    }
    return request.sendJsonObject(body).map(response -> {
      int status = response.statusCode();
      if (status / 100 == 2) {
        return response;
      }
      String text = response.bodyAsString();
      if (status == 400 && text != null && text.contains("Cannot transition status")) {
        // GitLab refuses to re-post the state a status already has: it is already reported.
        return response;
      }
      if (status == 429 || status >= 500) {
        throw new IllegalStateException(integration.name() + " answered " + status);
      }
      throw new Permanent(integration.name() + " answered " + status + ": " + (text == null ? "" : text));
    });
  }

  static String webUrl(IntegrationType type, JsonObject config) {
    String configured = config.getString("webUrl");
    String url = configured != null ? configured : type == IntegrationType.SCM_GITHUB ? "https://github.com"
        : "https://gitlab.com";
    return url.replaceAll("/+$", "");
  }

  static String apiUrl(ResolvedIntegration integration) {
    String configured = integration.config().getString("apiUrl");
    if (configured != null) {
      return configured.replaceAll("/+$", "");
    }
    return integration.type() == IntegrationType.SCM_GITHUB ? "https://api.github.com"
        : webUrl(integration.type(), integration.config()) + "/api/v4";
  }

  /** {@code owner/repo} (GitHub) or {@code group/project} (GitLab) from the release's repository URL. */
  static String repositoryPath(ResolvedIntegration integration, JsonObject context) {
    String repository = context.getJsonObject("sourceRef").getString("repository");
    String path = repository.substring(webUrl(integration.type(), integration.config()).length());
    path = path.replaceAll("^/+", "").replaceAll("/+$", "");
    return path.endsWith(".git") ? path.substring(0, path.length() - 4) : path;
  }

  /** Optional fields without a value are left out, never sent as null (GitHub answers null with 422). */
  static void putIfPresent(JsonObject body, String field, String value) {
    if (value != null && !value.isBlank()) {
      body.put(field, value);
    }
  }

  /** A report that retrying cannot fix (4xx other than 429, a vanished job). */
  static final class Permanent extends RuntimeException {
    Permanent(String message) {
      super(message, null, false, false);
    }
  }
}
