package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.header;
import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * GitHub Container Registry through GitHub's {@code package} webhook (and the older
 * {@code registry_package}, whose body keeps the package under {@code registry_package}); shape from
 * octokit/webhooks {@code package/published.schema.json}: {@code {action, package{name, package_type,
 * owner{login}, package_version{version, container_metadata{tag{name, digest}, manifest{media_type}}}}}}.
 *
 * <p>{@code package_version.version} is the manifest digest. A multi-platform push sends one event
 * per manifest and the platform manifests have {@code tag.name: ""}, which becomes a push by digest.
 */
public final class GhcrParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    return header(headers, "x-github-delivery");
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    String event = header(headers, "x-github-event");
    if (event == null) {
      // Without the header (a replay of a stored body, a relay) the body's top-level key says which event it is.
      event = body.containsKey("package") ? "package" : body.containsKey("registry_package") ? "registry_package" : null;
      if (event == null) {
        throw new UnrecognisedPayloadException("expected a GitHub package event (X-GitHub-Event: package)");
      }
    }
    if (event.equals("ping")) {
      return List.of(new Ignored("GitHub ping for hook " + text(body, "hook_id")));
    }
    if (!event.equals("package") && !event.equals("registry_package")) {
      return List.of(new Ignored("GitHub " + event + " events are not package events"));
    }
    JsonObject pkg = obj(body, event);
    if (pkg == null) {
      pkg = obj(body, event.equals("package") ? "registry_package" : "package");
    }
    if (pkg == null) {
      throw new UnrecognisedPayloadException("expected a package object in a GitHub " + event + " event");
    }
    String action = text(body, "action");
    if (!"published".equals(action) && !"updated".equals(action)) {
      return List.of(new Ignored("GitHub package action '" + action + "' is not a publish"));
    }
    // "container" in package events, "CONTAINER" in registry_package events.
    String type = text(pkg, "package_type");
    if (type == null || !type.equalsIgnoreCase("container")) {
      return List.of(new Ignored("GitHub package of type " + type + " is not a container image"));
    }
    String owner = text(pkg, "owner", "login");
    String name = text(pkg, "name");
    if (owner == null || name == null) {
      throw new UnrecognisedPayloadException("expected package.owner.login and package.name in a GitHub package event");
    }
    JsonObject version = obj(pkg, "package_version");
    String tag = text(version, "container_metadata", "tag", "name");
    String digest = text(version, "version");
    if (digest == null || !digest.startsWith("sha256:")) {
      digest = text(version, "container_metadata", "tag", "digest");
    }
    String mediaType = text(version, "container_metadata", "manifest", "media_type");
    // OCI repository names are lower case; GitHub logins keep their case ("Codertocat").
    String repository = ("ghcr.io/" + owner + "/" + name).toLowerCase(Locale.ROOT);
    return List.of(new ImagePushed(repository, tag, digest, mediaType));
  }
}
