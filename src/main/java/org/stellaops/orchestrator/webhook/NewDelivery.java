package org.stellaops.orchestrator.webhook;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** A verified delivery about to be stored: {@code status} is received, or ignored with a reason. */
public record NewDelivery(
    UUID id,
    String source,
    UUID integrationId,
    String integrationType,
    String deliveryKey,
    String status,
    String reason,
    JsonObject headers,
    byte[] body) {}
