package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.header;
import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.BuildCompleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * GitLab Pipeline Hook (gitlabhq {@code doc/user/project/integrations/webhook_events.md}):
 * {@code {object_kind: "pipeline", object_attributes{id, ref, sha, status, url, ...}, project{path_with_namespace,
 * web_url}, ...}}. One hook per status change and they may arrive out of order, so each is reported as the
 * state it names; the processor decides what is newest. Other hooks on the same endpoint (push, job, ...) are
 * ignored.
 */
public final class GitLabPipelineParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    // Idempotency-Key (17.4+) is documented to stay the same when GitLab retries or an admin resends a
    // delivery, which is exactly what de-duplication needs; X-Gitlab-Event-UUID identifies the event
    // and is the best older instances offer.
    String key = header(headers, "idempotency-key");
    return key != null ? key : header(headers, "x-gitlab-event-uuid");
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    String kind = text(body, "object_kind");
    if (kind == null) {
      throw new UnrecognisedPayloadException("expected a GitLab webhook with object_kind");
    }
    if (!kind.equals("pipeline")) {
      return List.of(new Ignored("GitLab " + kind + " hooks are not pipeline events"));
    }
    JsonObject attrs = obj(body, "object_attributes");
    String id = text(attrs, "id");
    String vendorStatus = text(attrs, "status");
    if (id == null || vendorStatus == null) {
      throw new UnrecognisedPayloadException("expected object_attributes.id and .status in a GitLab Pipeline Hook");
    }
    String webUrl = text(attrs, "url");
    String projectUrl = text(body, "project", "web_url");
    if (webUrl == null && projectUrl != null) {
      webUrl = projectUrl + "/-/pipelines/" + id;
    }
    return List.of(new BuildCompleted(id, normalise(vendorStatus), vendorStatus, text(attrs, "sha"),
        text(attrs, "ref"), webUrl, text(body, "project", "path_with_namespace"), List.of()));
  }

  /**
   * GitLab pipeline statuses ({@code app/models/concerns/ci/has_status.rb}) onto the normalised words.
   * manual and scheduled wait (possibly forever) for a person or a time, so they stay pending;
   * canceling is still running until it lands on canceled.
   */
  static String normalise(String status) {
    return RunStatus.gitlab(status);
  }
}
