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
 * GitHub Actions {@code workflow_run} webhooks (docs.github.com/webhooks/webhook-events-and-payloads#workflow_run;
 * octokit/webhooks {@code common/workflow-run.schema.json}): {@code {action: requested|in_progress|completed,
 * workflow_run{id, name, status, conclusion, head_sha, head_branch, html_url}, repository{full_name}}}.
 * A run is terminal iff {@code status == "completed"}; {@code conclusion} is null before then.
 */
public final class GitHubWorkflowRunParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    return header(headers, "x-github-delivery");
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    String event = header(headers, "x-github-event");
    if (event == null) {
      if (!body.containsKey("workflow_run")) {
        throw new UnrecognisedPayloadException("expected a GitHub workflow_run event (X-GitHub-Event: workflow_run)");
      }
      event = "workflow_run";
    }
    if (event.equals("ping")) {
      return List.of(new Ignored("GitHub ping for hook " + text(body, "hook_id")));
    }
    if (!event.equals("workflow_run")) {
      return List.of(new Ignored("GitHub " + event + " events are not workflow runs"));
    }
    JsonObject run = obj(body, "workflow_run");
    String id = text(run, "id");
    String status = text(run, "status");
    if (id == null || status == null) {
      throw new UnrecognisedPayloadException("expected workflow_run.id and .status in a GitHub workflow_run event");
    }
    String conclusion = text(run, "conclusion");
    String vendorStatus = status.equals("completed") && conclusion != null ? conclusion : status;
    String workflowName = text(run, "name");
    if (workflowName == null) {
      workflowName = text(body, "workflow", "name");
    }
    String repo = text(body, "repository", "full_name");
    String pipelineName = repo == null ? workflowName : workflowName == null ? repo : repo + "/" + workflowName;
    return List.of(new BuildCompleted(id, normalise(status, conclusion), vendorStatus, text(run, "head_sha"),
        text(run, "head_branch"), text(run, "html_url"), pipelineName, List.of()));
  }

  /**
   * GitHub's workflow-run statuses and conclusions
   * (https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-repository).
   */
  static String normalise(String status, String conclusion) {
    return RunStatus.github(status, conclusion);
  }
}
