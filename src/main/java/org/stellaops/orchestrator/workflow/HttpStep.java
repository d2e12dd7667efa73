package org.stellaops.orchestrator.workflow;

import org.stellaops.orchestrator.platform.CappedBody;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.stellaops.orchestrator.egress.EgressDeniedException;

/**
 * The http step: calls the step's URL and succeeds on the expected status. Its outputs keep the
 * status and at most {@link CappedBody#LIMIT} bytes of the response body ({@code bodyTruncated}
 * says when more came), never the response headers: they may carry cookies or tokens of the
 * called service.
 */
final class HttpStep implements StepExecutor {

  static final int DEFAULT_TIMEOUT_SECONDS = 60;

  private final StepServices services;

  HttpStep(StepServices services) {
    this.services = services;
  }

  @Override
  public Future<StepResult> execute(ParsedStep step, StepContext context) {
    JsonObject config = step.config();
    HttpMethod method = HttpMethod.valueOf(config.getString("method", "GET").toUpperCase());
    var request = services.http().requestAbs(method, config.getString("url"))
        .timeout(config.getInteger("timeout", DEFAULT_TIMEOUT_SECONDS) * 1000L)
        .as(new CappedBody(CappedBody.LIMIT));
    services.secrets().open(context.promotion().targetEnvironmentId(), step.json()).forEach(request::putHeader);
    Object body = config.getValue("body");
    Future<HttpResponse<CappedBody.Result>> sent = body == null ? request.send()
        : request.sendBuffer(Buffer.buffer(body instanceof String s ? s : Json.encode(body)));
    int expected = config.getInteger("expectedStatus", 200);
    return sent.map(response -> {
      CappedBody.Result kept = response.body();
      JsonObject outputs = new JsonObject().put("status", response.statusCode())
          .put("body", kept == null ? "" : kept.text()).put("bodyTruncated", kept != null && kept.truncated());
      return response.statusCode() == expected ? StepResult.done(outputs)
          : StepResult.failed("expected HTTP " + expected + ", got " + response.statusCode(), outputs);
    }).recover(e -> Future.succeededFuture(StepResult.failed("http step failed: " + e.getMessage(), unsent(e))));
  }

  /** A step's error details when its request was never sent: the egress policy's code, for callers to act on. */
  static JsonObject unsent(Throwable e) {
    return EgressDeniedException.in(e) ? new JsonObject().put("code", EgressDeniedException.CODE) : null;
  }
}
