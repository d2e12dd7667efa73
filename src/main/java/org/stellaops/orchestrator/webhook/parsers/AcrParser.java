package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * Azure Container Registry webhooks (learn.microsoft.com/azure/container-registry/container-registry-webhook-reference):
 * {@code {id, timestamp, action, target{mediaType, size, digest, length, repository, tag}, request{id, host,
 * method, useragent}}}, one event per request. {@code request.host} is the registry's login server
 * ({@code myregistry.azurecr.io}).
 */
public final class AcrParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    return text(body, "id");
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    String action = text(body, "action");
    if (action == null) {
      throw new UnrecognisedPayloadException("expected an Azure Container Registry event {id, action, target, request}");
    }
    JsonObject target = obj(body, "target");
    String repository = text(target, "repository");
    return switch (action) {
      case "push", "delete" -> {
        if (repository == null) {
          throw new UnrecognisedPayloadException("expected target.repository in an ACR " + action + " event");
        }
        String qualified = Fields.qualify(text(body, "request", "host"), repository);
        String tag = text(target, "tag");
        String digest = text(target, "digest");
        if (action.equals("push")) {
          yield List.of(new ImagePushed(qualified, tag, digest, text(target, "mediaType")));
        }
        // Deleting a whole repository can come without a tag or digest: nothing to match.
        yield tag == null && digest == null
            ? List.of(new Ignored("ACR delete of " + repository + " names neither a tag nor a digest"))
            : List.of(new ImageDeleted(qualified, tag, digest));
      }
      case "chart_push", "chart_delete" -> List.of(new Ignored("ACR " + action + " is a legacy Helm chart event, not an image"));
      case "quarantine" -> List.of(new Ignored("ACR quarantine of " + repository + " is not a push"));
      case "ping" -> List.of(new Ignored("ACR ping"));
      default -> List.of(new Ignored("unknown ACR action '" + action + "'"));
    };
  }
}
