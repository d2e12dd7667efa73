package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Validator;

/**
 * The deploy step: POSTs the release's digests to the deploy target; a 202 parks the promotion
 * until the target's callback ({@link #callback}), another 2xx is done, anything else (a 3xx
 * included: redirects are never followed) fails the step. The request carries
 * {@code callback: {url, token}}: a fresh random token for this job, shown only here and stored
 * as its SHA-256, which the target presents to finish this deployment and no other.
 */
final class DeployStep implements StepExecutor {

  static final int DEFAULT_TIMEOUT_SECONDS = 600;

  private final StepServices services;

  DeployStep(StepServices services) {
    this.services = services;
  }

  @Override
  public Future<StepResult> execute(ParsedStep step, StepContext context) {
    Promotion p = context.promotion();
    JsonObject config = step.config();
    JsonArray components = new JsonArray();
    context.release().components().forEach(c -> components.add(new JsonObject().put("name", c.componentName())
        .put("imageRepository", c.imageRepository()).put("digest", c.digest())
        .put("imageRef", c.imageRepository() + "@" + c.digest())));
    JsonObject body = new JsonObject().put("deploymentJobId", p.deploymentJobId().toString())
        .put("releaseId", context.release().id().toString()).put("releaseName", context.release().name())
        .put("environment", context.environment().name()).put("components", components);
    var request = services.http().requestAbs(HttpMethod.POST, config.getString("url"))
        .timeout(config.getInteger("timeout", DEFAULT_TIMEOUT_SECONDS) * 1000L);
    services.secrets().open(p.targetEnvironmentId(), step.json()).forEach(request::putHeader);
    JsonObject outputs = new JsonObject().put("deploymentJobId", p.deploymentJobId().toString());
    String token = CallbackTokens.issue();
    body.put("callback", new JsonObject().put("url", callbackUrl(p.deploymentJobId())).put("token", token));
    return services.promotions().setCallbackHash(p.deploymentJobId(), CallbackTokens.hash(token))
        .compose(stored -> request.sendJsonObject(body)).map(response -> {
          if (response.statusCode() == 202) {
            String statusUrl = DeployCancellation.statusUrl(config.getString("url"), response.getHeader("Location"));
            if (statusUrl != null) {
              outputs.put("statusUrl", statusUrl);
            }
            return StepResult.waiting(WaitingOn.DEPLOY.key(p.deploymentJobId()), outputs.put("status", "running"));
          }
          if (response.statusCode() / 100 == 2) {
            return StepResult.done(outputs.put("status", "succeeded"));
          }
          return StepResult.failed("deploy target answered " + response.statusCode(), new JsonObject()
              .put("status", response.statusCode()));
        }).recover(e -> Future.succeededFuture(StepResult.failed("deploy target unreachable: " + e.getMessage(),
            HttpStep.unsent(e))));
  }

  /** The address a deploy target reports this job's outcome to. */
  private String callbackUrl(UUID jobId) {
    return services.publicUrl() + "/api/v1/deployments/" + jobId + "/callback";
  }

  /**
   * {@code POST /deployments/{jobId}/callback {status, message?}} from a deploy target that
   * answered 202, authenticated by the token its deploy request carried for this job. A missing
   * or wrong token, another job's, a used one, or one of a job that ended is a 401 that does not
   * say which; only then is the body read.
   */
  Future<Void> callback(String jobId, String token, Supplier<JsonObject> body) {
    UUID job = Ids.uuidOrNull(jobId);
    if (job == null) {
      return Future.failedFuture(CallbackTokens.refused(jobId));
    }
    if (token == null) {
      return Future.failedFuture(ApiException.unauthorized("send the deployment's callback token, from the deploy "
          + "request's callback.token, as Authorization: Bearer <token> or " + CallbackTokens.HEADER));
    }
    return services.promotions().callbackHash(job).compose(hash -> {
      if (hash.isEmpty() || !CallbackTokens.matches(token, hash.get())) {
        throw CallbackTokens.refused(jobId);
      }
      return finish(job, jobId, body.get());
    });
  }

  /**
   * Records the target's outcome on the step waiting for it. An accepted success uses up the
   * token before the promotion moves on; a failure ends the job, which clears it.
   */
  private Future<Void> finish(UUID job, String jobId, JsonObject body) {
    Validator v = new Validator(body);
    String status = v.requiredString("status", 32);
    if (status != null && !List.of("success", "succeeded", "failed", "failure").contains(status)) {
      v.error("status", "must be success or failed", "INVALID_VALUE");
    }
    String message = v.optionalString("message", 1000);
    v.throwIfInvalid();
    boolean ok = status.startsWith("succ");
    PromotionRepository promotions = services.promotions();
    return promotions.waitingOn(WaitingOn.DEPLOY.key(job)).compose(ids -> {
      if (ids.isEmpty()) {
        throw ApiException.conflict("deployment " + jobId + " is not waiting for a callback");
      }
      return promotions.find(ids.get(0)).compose(found -> {
        Promotion p = found.orElseThrow();
        if (ok) {
          return promotions.clearCallbackHash(job).compose(cleared -> services.results().apply(p,
              StepResult.done(new JsonObject().put("status", StepStatus.SUCCEEDED.wire()))));
        }
        String error = "deployment failed" + (message == null ? "" : ": " + message);
        return services.results().apply(p, new StepResult.Failed(error, null,
            new JsonObject().put("status", StepStatus.FAILED.wire()), StepResult.Cause.STEP));
      });
    });
  }
}
