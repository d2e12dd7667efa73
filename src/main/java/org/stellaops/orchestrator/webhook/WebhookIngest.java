package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.stellaops.orchestrator.crypto.Sha256;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.integration.IntegrationType.SenderAuth;
import org.stellaops.orchestrator.integration.RegistryHosts;
import org.stellaops.orchestrator.integration.ResolvedIntegration;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.TextSafety;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser;
import org.stellaops.orchestrator.webhook.parsers.Parsers;

/**
 * Everything between an incoming webhook and its inbox row, in the order that decides the
 * answer: unknown integration 404, unproven sender 401, wrong content type 415, malformed JSON
 * 400, a NUL character in a JSON string or key 400 ({@link TextSafety}). A well-formed payload is always stored: as {@code received} when it means something to
 * us, otherwise as {@code ignored} with the reason. Thread-safe; holds no per-request state.
 */
public final class WebhookIngest {

  /** Headers worth keeping with a delivery (parsers read some); never credentials or signatures. */
  private static final Set<String> KEPT_HEADERS = Set.of("content-type", "user-agent", "x-github-event",
      "x-github-delivery", "x-github-hook-id", "x-gitlab-event", "x-gitlab-event-uuid", "x-gitlab-webhook-uuid",
      "x-gitlab-instance", "idempotency-key", "ce-id", "ce-type", "x-request-id");

  private final IntegrationService integrations;
  private final WebhookMetrics metrics;

  public WebhookIngest(IntegrationService integrations, WebhookMetrics metrics) {
    this.integrations = integrations;
    this.metrics = metrics;
  }

  /** Which webhook endpoint was called; an integration only answers on its own. */
  public enum Endpoint { REGISTRY, CI }

  public WebhookMetrics metrics() {
    return metrics;
  }

  /** Checks a vendor webhook and builds its inbox row; fails with the ApiException to answer. */
  public Future<NewDelivery> vendorDelivery(Endpoint endpoint, String integrationId, MultiMap rawHeaders,
      String querySecret, Buffer rawBody) {
    UUID id = Ids.uuidOrNull(integrationId);
    if (id == null) {
      return Future.failedFuture(ApiException.notFound("integration " + integrationId));
    }
    return integrations.resolve(id).map(found -> {
      ResolvedIntegration integration = found
          .filter(i -> endpoint == Endpoint.REGISTRY ? i.type().isRegistry() : i.type().isCi())
          .orElseThrow(() -> ApiException.notFound((endpoint == Endpoint.REGISTRY ? "registry" : "CI")
              + " integration " + integrationId));
      String type = integration.type().wire();
      Map<String, String> headers = lowerCase(rawHeaders);
      byte[] body = rawBody == null ? new byte[0] : rawBody.getBytes();
      if (!SenderVerifier.verify(integration.type().senderAuth(), integration.credential("webhookSecret"), headers,
          querySecret, body)) {
        metrics.delivery(type, "rejected_auth");
        throw ApiException.unauthorized("webhook signature or secret does not match integration " + integrationId);
      }
      JsonObject json = readJson(type, headers, body);
      List<String> hosts = integration.type().isRegistry()
          ? RegistryHosts.of(integration.type(), integration.config()) : null;
      return classify(integration.id().toString(), integration.id(), type, Parsers.forType(type), headers, json, body,
          integration.type().senderAuth(), hosts);
    });
  }

  /**
   * The bearer-authenticated generic CI endpoints ({@code /ci-events/build-complete},
   * {@code /webhooks/ci-status}); deliveries are keyed per caller.
   */
  public NewDelivery apiDelivery(String source, UUID integrationId, MultiMap rawHeaders, JsonObject json, byte[] body) {
    Map<String, String> headers = lowerCase(rawHeaders);
    return classify(source, integrationId, CI_API, Parsers.forType("ci.jenkins"), headers, json, body, null, null);
  }

  /** The integration type recorded for deliveries sent to the bearer-authenticated CI endpoints. */
  public static final String CI_API = "ci.api";

  /**
   * @param auth how the sender proved itself (null for the bearer-authenticated endpoints)
   * @param registryHosts the hosts a registry integration reports on; null for CI senders
   */
  private NewDelivery classify(String source, UUID integrationId, String type, PayloadParser parser,
      Map<String, String> headers, JsonObject json, byte[] body, SenderAuth auth, List<String> registryHosts) {
    String senderId = null;
    String status = Delivery.RECEIVED;
    String reason = null;
    try {
      senderId = parser.deliveryId(headers, json);
      List<WebhookEvent> events = parser.parse(headers, json);
      if (registryHosts != null) {
        events = events.stream().map(e -> RegistryScope.screen(e, registryHosts)).toList();
      }
      if (events.stream().allMatch(e -> e instanceof WebhookEvent.Ignored)) {
        status = Delivery.IGNORED;
        reason = String.join("; ", events.stream().map(e -> ((WebhookEvent.Ignored) e).reason()).distinct().toList());
      }
    } catch (RuntimeException e) {
      // Not this sender's format (or a field of the wrong type): keep it, answer 202, say why.
      status = Delivery.IGNORED;
      reason = "unrecognised payload: " + e.getMessage();
    }
    String key = deliveryKey(auth, senderId, body);
    JsonObject kept = new JsonObject();
    headers.forEach((name, value) -> {
      if (KEPT_HEADERS.contains(name)) {
        kept.put(name, value);
      }
    });
    return new NewDelivery(Ids.timeOrdered(), source, integrationId, type, truncate(key, 200), status,
        reason == null ? null : truncate(reason, 1000), kept, body);
  }

  /**
   * The key a repeat of this delivery is recognised by. A sender's HMAC signature covers the
   * body only (GitHub, and GHCR through GitHub: the unsigned {@code X-GitHub-Delivery} can be
   * anything, https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries),
   * so for signed senders the body itself is the key: a captured body sent again under a fresh
   * delivery id is the same delivery, a duplicate. Senders that prove themselves with a shared
   * secret in a header or the URL sign nothing; whoever captured one of their deliveries holds
   * the secret and could send any body, so keying them by body would not stop a replay, and
   * their own event ids are kept. Without a sender id the body is the key for everyone.
   */
  static String deliveryKey(SenderAuth auth, String senderId, byte[] body) {
    if (auth == SenderAuth.HMAC_SHA256 || senderId == null || senderId.isBlank()) {
      return "sha256:" + sha256Hex(body);
    }
    return senderId;
  }

  /**
   * The body as JSON. GitHub may be configured to send {@code application/x-www-form-urlencoded}
   * with the JSON in a {@code payload} field; the signature still covers the raw body.
   */
  private JsonObject readJson(String type, Map<String, String> headers, byte[] body) {
    String contentType = headers.getOrDefault("content-type", "application/json");
    String mime = contentType.split(";", 2)[0].trim().toLowerCase();
    if (!(mime.equals("application/json") || mime.endsWith("+json") || mime.equals("text/plain")
        || mime.equals("application/x-www-form-urlencoded"))) {
      metrics.delivery(type, "rejected_parse");
      throw ApiException.of(415, "UNSUPPORTED_MEDIA_TYPE", "webhooks must be JSON, got " + contentType);
    }
    String text = jsonText(contentType, body);
    if (text == null) {
      metrics.delivery(type, "rejected_parse");
      throw ApiException.of(400, "MALFORMED_JSON", "form-encoded webhook has no payload field");
    }
    Object parsed = null;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      // answered below
    }
    if (!(parsed instanceof JsonObject object)) {
      metrics.delivery(type, "rejected_parse");
      throw ApiException.of(400, "MALFORMED_JSON", "webhook body is not a JSON object");
    }
    if (TextSafety.firstNul(object).isPresent()) {
      // Refused before it is acknowledged: its ids, tags and notes could be neither stored nor
      // applied, so the sender sees the refusal and its reason instead of a 202 for a delivery
      // that could never be carried out.
      metrics.delivery(type, "rejected_parse");
      TextSafety.requireStorable(object);
    }
    return object;
  }

  /**
   * The JSON text of a body: the body itself, or the {@code payload} field of a form-encoded
   * one (null when it has none).
   */
  static String jsonText(String contentType, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (contentType == null || !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return text;
    }
    for (String pair : text.split("&")) {
      if (pair.startsWith("payload=")) {
        return URLDecoder.decode(pair.substring(8), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  static Map<String, String> lowerCase(MultiMap headers) {
    Map<String, String> map = new HashMap<>();
    headers.forEach(e -> map.putIfAbsent(e.getKey().toLowerCase(), e.getValue()));
    return map;
  }

  static String sha256Hex(byte[] body) {
    return Sha256.hex(body);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
