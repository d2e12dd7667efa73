package org.stellaops.orchestrator.webhook.parsers;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.webhook.WebhookEvent;

/**
 * Reads one vendor's payload. Implementations are pure (no I/O) and thread-safe: they run on
 * the event loop at ingestion (to find the delivery id and whether we act on it) and again
 * in the processor, from the stored body, when the delivery is processed or replayed.
 */
public interface PayloadParser {

  /**
   * The sender's own id for this delivery (for de-duplication), or null when the payload has
   * none; the caller then uses a hash of the body.
   *
   * @param headers request headers, names in lower case
   * @param body the parsed JSON body
   */
  String deliveryId(Map<String, String> headers, JsonObject body);

  /**
   * The events in the payload, never empty. A payload we recognise but do not act on gives
   * {@link WebhookEvent.Ignored}; a payload that is not this vendor's format throws
   * {@link UnrecognisedPayloadException}, which the caller also stores as ignored.
   */
  List<WebhookEvent> parse(Map<String, String> headers, JsonObject body);

  /** The payload is JSON but not what this sender sends; the message says what was expected. */
  final class UnrecognisedPayloadException extends RuntimeException {
    public UnrecognisedPayloadException(String message) {
      super(message, null, false, false);
    }
  }
}
