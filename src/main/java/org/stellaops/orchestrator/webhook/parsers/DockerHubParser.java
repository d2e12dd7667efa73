package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * Docker Hub repository webhooks (docker/docs {@code manuals/docker-hub/repos/manage/webhooks.md}):
 * {@code {callback_url, push_data{pushed_at, pusher, tag}, repository{repo_name, namespace, name, ...}}}.
 * Hub only sends pushes and gives no digest (the processor resolves the tag with a manifest HEAD)
 * and no delivery id, so the caller de-duplicates on a hash of the body.
 */
public final class DockerHubParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    return null;
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    JsonObject pushData = obj(body, "push_data");
    String repoName = text(body, "repository", "repo_name");
    if (pushData == null || repoName == null) {
      throw new UnrecognisedPayloadException("expected a Docker Hub push {push_data{tag}, repository{repo_name}}");
    }
    String tag = text(pushData, "tag");
    if (tag == null) {
      return List.of(new Ignored("Docker Hub push to " + repoName + " names no tag"));
    }
    return List.of(new ImagePushed("docker.io/" + repoName, tag, null, null));
  }
}
