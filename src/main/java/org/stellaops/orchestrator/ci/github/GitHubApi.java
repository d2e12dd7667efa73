package org.stellaops.orchestrator.ci.github;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.function.Function;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.HttpErrors;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * One {@code ci.github} integration's REST API: the base URL, the per-request timeout, the token and the
 * pinned API version (https://docs.github.com/en/rest/about-the-rest-api/api-versions), and the label its
 * errors are reported under. Vendor answers become {@link CiException}s through {@link HttpErrors}.
 */
final class GitHubApi {

  static final String DEFAULT_ENDPOINT = "https://api.github.com";
  static final String API_VERSION = "2022-11-28";

  private final WebClient http;
  private final Clock clock;
  private final String api;
  private final long timeoutMs;
  private final String token;
  private final String label;

  GitHubApi(WebClient http, ResolvedIntegration integration, Clock clock) {
    this.http = http;
    this.clock = clock;
    this.api = integration.config().getString("endpoint", DEFAULT_ENDPOINT).replaceAll("/+$", "");
    this.timeoutMs = integration.config().getInteger("requestTimeoutSeconds", 10) * 1000L;
    this.token = integration.credential("token");
    this.label = "GitHub (integration '" + integration.name() + "')";
  }

  String label() {
    return label;
  }

  Clock clock() {
    return clock;
  }

  HttpRequest<Buffer> request(HttpMethod method, String path) {
    HttpRequest<Buffer> request = http.requestAbs(method, api + path)
        .timeout(timeoutMs)
        .putHeader("Accept", "application/vnd.github+json")
        .putHeader("X-GitHub-Api-Version", API_VERSION);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request;
  }

  /** Sends {@code request} and reads its 2xx JSON body through {@code read}; anything else fails. */
  <T> Future<T> json(HttpRequest<Buffer> request, String what, Function<JsonObject, T> read) {
    return request.send()
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response, read));
  }

  /** A malformed pipelineId is the caller's configuration error: retrying will not help. */
  WorkflowPath workflow(String pipelineId) {
    try {
      return WorkflowPath.parse(pipelineId);
    } catch (IllegalArgumentException e) {
      throw new CiException.Rejected(label + ": " + e.getMessage());
    }
  }
}
