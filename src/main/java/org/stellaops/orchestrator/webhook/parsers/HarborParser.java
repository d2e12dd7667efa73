package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.arr;
import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * Harbor 2.x webhooks in either payload format a policy can choose (harbor
 * {@code src/pkg/notifier/formats/default.go} and {@code cloudevents.go}):
 * <ul>
 *   <li>Default: {@code {type: "PUSH_ARTIFACT", occur_at, operator, event_data{resources[{digest, tag,
 *       resource_url}], repository{name, namespace, repo_full_name, repo_type}}}};
 *   <li>CloudEvents: {@code {specversion, id, type: "harbor.artifact.pushed", source, time, data{...same
 *       event_data...}}}.
 * </ul>
 * For an untagged artifact Harbor puts the digest in {@code tag} and ends {@code resource_url} with
 * {@code @digest} ({@code controller/event/handler/webhook/artifact/artifact.go}), so a digest-shaped tag
 * is no tag.
 */
public final class HarborParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    // Only the CloudEvents format carries an id (a UUID per event); the default format has none.
    return body != null && body.containsKey("specversion") ? text(body, "id") : null;
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    String type;
    JsonObject data;
    if (body.containsKey("specversion")) {
      type = fromCloudEventType(text(body, "type"));
      data = obj(body, "data");
    } else {
      type = text(body, "type");
      data = obj(body, "event_data");
    }
    if (type == null) {
      throw new UnrecognisedPayloadException("expected a Harbor webhook {type, event_data} or a CloudEvent {specversion, type, data}");
    }
    return switch (type) {
      // pushImage/deleteImage are the Harbor 1.x names of the same events.
      case "PUSH_ARTIFACT", "pushImage" -> resources(type, data, true);
      case "DELETE_ARTIFACT", "deleteImage" -> resources(type, data, false);
      default -> List.of(new Ignored("Harbor " + type + " events are not acted on"));
    };
  }

  /** harbor.artifact.pushed → PUSH_ARTIFACT; the other CloudEvents types keep their own name for the reason text. */
  private static String fromCloudEventType(String ceType) {
    if (ceType == null) {
      return null;
    }
    return switch (ceType) {
      case "harbor.artifact.pushed" -> "PUSH_ARTIFACT";
      case "harbor.artifact.deleted" -> "DELETE_ARTIFACT";
      default -> ceType;
    };
  }

  private static List<WebhookEvent> resources(String type, JsonObject data, boolean push) {
    JsonArray resources = arr(data, "resources");
    if (resources == null) {
      throw new UnrecognisedPayloadException("expected event_data.resources[] in a Harbor " + type + " event");
    }
    String fullName = text(data, "repository", "repo_full_name");
    List<WebhookEvent> out = new ArrayList<>();
    for (Object r : resources) {
      if (!(r instanceof JsonObject res)) {
        continue;
      }
      // resource_url carries the registry host ("harbor.example.com/library/app:v1"); repo_full_name does not.
      String url = text(res, "resource_url");
      String repository = url != null ? References.repository(url) : fullName;
      String tag = text(res, "tag");
      if (References.looksLikeDigest(tag)) {
        tag = null;
      }
      String digest = text(res, "digest");
      if (repository == null || (tag == null && digest == null)) {
        out.add(new Ignored("Harbor " + type + " resource names no repository, tag or digest"));
      } else {
        out.add(push ? new ImagePushed(repository, tag, digest, null) : new ImageDeleted(repository, tag, digest));
      }
    }
    return out.isEmpty() ? List.of(new Ignored("Harbor " + type + " event lists no resources")) : out;
  }
}
