package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * Google Artifact Registry (and Container Registry) notifications on the {@code gcr} Pub/Sub topic,
 * delivered by a push subscription (cloud.google.com/artifact-registry/docs/configure-notifications,
 * cloud.google.com/pubsub/docs/push): {@code {message{data, messageId, publishTime, attributes?},
 * subscription}}, where {@code data} is base64 of {@code {"action":"INSERT"|"DELETE",
 * "digest":"LOC-docker.pkg.dev/p/r/img@sha256:...", "tag":"LOC-docker.pkg.dev/p/r/img:1.1"}}.
 * Both references are full; a tag-only delete carries no digest and a push by digest no tag.
 */
public final class GarParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    // Pub/Sub sends the id twice (messageId and message_id); redeliveries keep it.
    String id = text(body, "message", "messageId");
    return id != null ? id : text(body, "message", "message_id");
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    JsonObject notification = decode(text(obj(body, "message"), "data"));
    String action = text(notification, "action");
    String digestRef = text(notification, "digest");
    String tagRef = text(notification, "tag");
    if (action == null) {
      throw new UnrecognisedPayloadException("expected message.data to hold {action, digest, tag}");
    }
    if (digestRef == null && tagRef == null) {
      return List.of(new Ignored("Artifact Registry " + action + " names neither a digest nor a tag"));
    }
    String repository = References.repository(digestRef != null ? digestRef : tagRef);
    String tag = References.tag(tagRef);
    String digest = References.digest(digestRef);
    return switch (action) {
      case "INSERT" -> List.of(new ImagePushed(repository, tag, digest, null));
      case "DELETE" -> List.of(new ImageDeleted(repository, tag, digest));
      default -> List.of(new Ignored("unknown Artifact Registry action '" + action + "'"));
    };
  }

  private static JsonObject decode(String data) {
    if (data == null) {
      throw new UnrecognisedPayloadException("expected a Pub/Sub push {message{data, messageId}, subscription}");
    }
    try {
      return new JsonObject(new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      throw new UnrecognisedPayloadException("expected message.data to be base64 of a JSON object");
    }
  }
}
