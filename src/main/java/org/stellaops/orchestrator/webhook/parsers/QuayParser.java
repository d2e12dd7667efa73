package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.arr;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * Quay's {@code repo_push} notification through the webhook method (quay
 * {@code notifications/__init__.py build_repository_event_data} and {@code notificationevent.py}):
 * {@code {repository: "ns/name", namespace, name, docker_url: "quay.io/ns/name", homepage,
 * updated_tags: ["latest", ...]}}. Quay gives no digests and no delivery id. The same webhook can be
 * attached to build and vulnerability events, which share the repository fields but not {@code updated_tags}.
 */
public final class QuayParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    return null;
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    String dockerUrl = text(body, "docker_url");
    JsonArray tags = arr(body, "updated_tags");
    if (dockerUrl == null) {
      throw new UnrecognisedPayloadException("expected a Quay repo_push {repository, docker_url, updated_tags[]}");
    }
    if (tags == null) {
      String kind = body.containsKey("build_id") ? "build" : body.containsKey("vulnerability") ? "vulnerability" : "non-push";
      return List.of(new Ignored("Quay " + kind + " notification for " + text(body, "repository") + " is not a repo_push"));
    }
    String repository = References.stripScheme(dockerUrl);
    List<WebhookEvent> out = new ArrayList<>();
    for (Object t : tags) {
      String tag = Fields.asText(t);
      if (tag != null) {
        out.add(new ImagePushed(repository, tag, null, null));
      }
    }
    return out.isEmpty() ? List.of(new Ignored("Quay repo_push to " + repository + " updated no tags")) : out;
  }
}
