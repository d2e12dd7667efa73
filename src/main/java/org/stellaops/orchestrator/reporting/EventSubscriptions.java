package org.stellaops.orchestrator.reporting;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.crypto.CredentialCipher;
import org.stellaops.orchestrator.crypto.Hmac;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Backoff;
import org.stellaops.orchestrator.platform.Ids;

/**
 * Outside subscribers to the gateway's events, and the worker that delivers them. Events are
 * queued by {@link EventOutbox} in the transactions of the changes they report, one row per
 * subscription (unique per subscription and event id, so an event is queued once); this worker
 * sends each as a CloudEvents 1.0 JSON document signed with the subscription's secret
 * ({@code X-Stella-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>}), retried with backoff
 * on anything but a 2xx, with every attempt's outcome kept in the delivery log. Delivery is at
 * least once: a replica that dies after sending and before recording the 2xx leaves the row to
 * be sent again, with the same CloudEvent {@code id}.
 */
public final class EventSubscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(EventSubscriptions.class);
  private static final int CLAIM_BATCH = 50;

  private final EventSubscriptionRepository repository;
  private final CredentialCipher cipher;
  private final WebClient http;

  public EventSubscriptions(EventSubscriptionRepository repository, CredentialCipher cipher, WebClient http) {
    this.repository = repository;
    this.cipher = cipher;
    this.http = http;
  }

  /** Stores the subscription with its secret sealed; the secret is never returned. */
  public Future<JsonObject> create(CreateSubscription command, Principal caller) {
    UUID id = UUID.randomUUID();
    byte[] sealed = cipher.encrypt(id, new JsonObject().put("secret", command.secret()));
    return repository.insert(id, command.url(), command.events(), sealed, caller.actor());
  }

  public Future<JsonArray> list() {
    return repository.list();
  }

  public Future<Void> delete(String id) {
    return repository.delete(parseId(id)).map(deleted -> {
      if (!deleted) {
        throw ApiException.notFound("event subscription " + id);
      }
      return null;
    });
  }

  public Future<JsonArray> deliveries(String id) {
    return repository.deliveries(parseId(id));
  }

  /** Delivers what is due; called on a timer. Never fails. */
  public Future<Void> deliverDue() {
    return repository.claim(CLAIM_BATCH).compose(due -> {
      List<Future<Void>> sends = new ArrayList<>(due.size());
      for (EventSubscriptionRepository.Due d : due) {
        sends.add(deliver(d));
      }
      return Future.all(sends).mapEmpty();
    }).recover(e -> {
      LOG.warn("event delivery round failed: {}", e.getMessage());
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private Future<Void> deliver(EventSubscriptionRepository.Due d) {
    String body = d.payload().encode();
    String secret = cipher.decrypt(d.subscriptionId(), d.sealedSecret()).getString("secret");
    String signature = Hmac.signature(secret, body.getBytes(StandardCharsets.UTF_8));
    return http.postAbs(d.url()).timeout(10_000)
        .putHeader("Content-Type", "application/cloudevents+json; charset=utf-8")
        .putHeader("X-Stella-Signature-256", signature)
        .sendBuffer(Buffer.buffer(body))
        .compose(response -> response.statusCode() / 100 == 2
            ? repository.delivered(d.id(), response.statusCode())
            : retry(d, response.statusCode(), "subscriber answered " + response.statusCode()))
        .recover(e -> retry(d, null, e.getMessage()));
  }

  private Future<Void> retry(EventSubscriptionRepository.Due d, Integer status, String error) {
    return repository.retry(d.id(), status, error, Backoff.DELIVERIES.delaySeconds(d.attempts()),
        Backoff.DELIVERIES.giveUp(d.attempts()));
  }

  private static UUID parseId(String id) {
    return Ids.uuidOr404(id, "event subscription");
  }
}
