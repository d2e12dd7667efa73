package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.arr;
import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.stellaops.orchestrator.crypto.Sha256;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * CNCF distribution (Docker Registry v2) notifications, also what a self-managed GitLab
 * registry sends through {@code registry['notifications']}. Shape from distribution
 * {@code notifications/event.go} (v2.8.2 and 3.x): {@code {"events":[{id, action, target{mediaType,
 * digest, repository, tag?, url}, request{host, ...}}]}}.
 *
 * <p>One result per envelope entry, in order. Observed on docker-registry 2.8.2 with skopeo
 * (https://distribution.github.io/distribution/about/notifications/): blob pushes, pulls (even {@code skopeo inspect} emits manifest pulls) and
 * mounts arrive on the same endpoint, so only a push of a manifest media type is an image push.
 */
public final class DistributionParser implements PayloadParser {

  /** Manifest media types distribution stores under {@code /manifests/}; everything else pushed is a blob. */
  static final Set<String> MANIFEST_TYPES = Set.of(
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.artifact.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v1+prettyjws");

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    JsonArray events = arr(body, "events");
    if (events == null || events.isEmpty()) {
      return null;
    }
    if (events.size() == 1) {
      return events.getValue(0) instanceof JsonObject e ? text(e, "id") : null;
    }
    // A retry resends the same envelope (the sink queues whole envelopes in memory), so the
    // set of ids identifies it; sorting keeps the key independent of the order inside it.
    List<String> ids = new ArrayList<>();
    for (Object e : events) {
      String id = e instanceof JsonObject o ? text(o, "id") : null;
      ids.add(id == null ? "" : id);
    }
    ids.sort(null);
    return "batch:" + sha256Hex(String.join("\n", ids)).substring(0, 32);
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    JsonArray events = arr(body, "events");
    if (events == null) {
      throw new UnrecognisedPayloadException("expected a distribution notification envelope {\"events\":[...]}");
    }
    if (events.isEmpty()) {
      return List.of(new Ignored("the notification envelope holds no events"));
    }
    List<WebhookEvent> out = new ArrayList<>(events.size());
    for (Object e : events) {
      if (!(e instanceof JsonObject event)) {
        throw new UnrecognisedPayloadException("expected every entry of events[] to be an object");
      }
      out.add(one(event));
    }
    return out;
  }

  private static WebhookEvent one(JsonObject event) {
    String id = text(event, "id");
    String action = text(event, "action");
    JsonObject target = obj(event, "target");
    String repository = text(target, "repository");
    if (action == null || repository == null) {
      return new Ignored("event " + id + " has no action or target.repository");
    }
    String qualified = Fields.qualify(host(event, target), repository);
    switch (action) {
      case "push" -> {
        String mediaType = mediaType(text(target, "mediaType"));
        if (mediaType == null || !MANIFEST_TYPES.contains(mediaType)) {
          return new Ignored("push of " + (mediaType == null ? "content without a media type" : mediaType)
              + " to " + repository + " is a blob, not a manifest");
        }
        return new ImagePushed(qualified, text(target, "tag"), text(target, "digest"), mediaType);
      }
      case "delete" -> {
        // DELETE /v2/<repo>/manifests/<digest> yields one event with target.digest and one per
        // tag with target.tag; 3.x can also report a whole-repository delete.
        String tag = text(target, "tag");
        String digest = text(target, "digest");
        if (tag == null && digest == null) {
          return new Ignored("delete of " + repository + " names neither a tag nor a digest");
        }
        return new ImageDeleted(qualified, tag, digest);
      }
      case "pull", "mount" -> {
        return new Ignored(action + " of " + repository + " does not change the registry's content");
      }
      default -> {
        return new Ignored("unknown distribution action '" + action + "'");
      }
    }
  }

  /** request.host is the Host the client used; target.url carries the same authority when it is missing. */
  private static String host(JsonObject event, JsonObject target) {
    String host = text(event, "request", "host");
    return host != null ? host : References.authority(text(target, "url"));
  }

  private static String mediaType(String raw) {
    if (raw == null) {
      return null;
    }
    int semi = raw.indexOf(';');
    return (semi >= 0 ? raw.substring(0, semi) : raw).trim().toLowerCase(Locale.ROOT);
  }

  private static String sha256Hex(String s) {
    return Sha256.hex(s.getBytes(StandardCharsets.UTF_8));
  }
}
