package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a deploy target that a deployment it accepted with 202 was cancelled: a {@code DELETE}
 * to the URL its 202 named in {@code Location} (kept as the step's {@code statusUrl}), with the
 * headers the deploy request carried. Best-effort: the promotion is cancelled before the target
 * is told, whatever it answers, and the outcome is recorded on the step as {@code outputs.cancel}.
 */
final class DeployCancellation {

  private static final Logger LOG = LoggerFactory.getLogger(DeployCancellation.class);
  /** At most this long for the target's answer, however long its deploy step may take. */
  static final int MAX_TIMEOUT_SECONDS = 30;

  private final PromotionRepository promotions;
  private final WebClient http;
  private final StepSecrets secrets;

  DeployCancellation(PromotionRepository promotions, WebClient http, StepSecrets secrets) {
    this.promotions = promotions;
    this.http = http;
    this.secrets = secrets;
  }

  /**
   * The deployment's own URL from a 202's {@code Location} (relative ones resolved against the
   * deploy URL), or null: without one, or when it points to another scheme, host or port than
   * the deploy URL. The deploy step's headers (its credentials) are sent to it on cancel, so it
   * must not lead them anywhere the operator did not configure. Pure.
   */
  static String statusUrl(String deployUrl, String location) {
    if (location == null || location.isBlank()) {
      return null;
    }
    try {
      URI base = new URI(deployUrl);
      URI resolved = base.resolve(location.trim());
      return origin(resolved) != null && origin(resolved).equals(origin(base)) ? resolved.toString() : null;
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String origin(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
      return null;
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** Sends the DELETE for step {@code stepIndex} of the cancelled promotion and records what came of it. */
  Future<Void> notifyTarget(UUID promotionId, int stepIndex) {
    return promotions.find(promotionId).compose(found -> {
      if (found.isEmpty() || stepIndex >= found.get().steps().size()) {
        return Future.succeededFuture();
      }
      Promotion p = found.get();
      JsonObject step = p.steps().getJsonObject(stepIndex);
      String url = step.getJsonObject("outputs", new JsonObject()).getString("statusUrl");
      return send(p, step, url).compose(outcome -> record(p, stepIndex, outcome));
    }).onFailure(e -> LOG.warn("promotion {}: telling the deploy target of the cancel failed: {}", promotionId,
        e.getMessage()));
  }

  private Future<JsonObject> send(Promotion p, JsonObject step, String url) {
    if (url == null) {
      return Future.succeededFuture(new JsonObject().put("notified", false)
          .put("error", "the deploy target's 202 named no Location on the deploy URL's origin to cancel"));
    }
    int timeout = Math.min(step.getJsonObject("config", new JsonObject()).getInteger("timeout", 600),
        MAX_TIMEOUT_SECONDS);
    var request = http.requestAbs(HttpMethod.DELETE, url).timeout(timeout * 1000L);
    JsonObject outcome = new JsonObject().put("method", "DELETE").put("url", url);
    try {
      secrets.open(p.targetEnvironmentId(), step).forEach(request::putHeader);
    } catch (IllegalStateException unopened) {
      return Future.succeededFuture(outcome.put("notified", false).put("error", unopened.getMessage()));
    }
    return request.send()
        .map(response -> outcome.put("notified", response.statusCode() / 100 == 2)
            .put("status", response.statusCode()))
        .recover(e -> Future.succeededFuture(outcome.put("notified", false).put("error", e.getMessage())));
  }

  /** The outcome onto the step, under the promotion's version; the promotion stays cancelled. */
  private Future<Void> record(Promotion p, int stepIndex, JsonObject outcome) {
    JsonArray steps = p.steps().copy();
    JsonObject step = steps.getJsonObject(stepIndex);
    step.put("outputs", step.getJsonObject("outputs", new JsonObject()).copy().put("cancel", outcome));
    return promotions.transition(p, p.status(), steps, p.currentStep(), p.waitingOn(), p.error())
        .onSuccess(moved -> {
          if (moved.isEmpty()) {
            LOG.info("promotion {} changed meanwhile; the deploy target's answer to the cancel is not recorded: {}",
                p.id(), outcome.encode());
          }
        }).mapEmpty();
  }
}
