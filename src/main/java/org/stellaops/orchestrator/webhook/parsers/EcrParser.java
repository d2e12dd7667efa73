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
 * Amazon ECR events relayed by an EventBridge API destination, which posts the event itself
 * (docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html): {@code {id, detail-type: "ECR
 * Image Action", source: "aws.ecr", account, region, detail{result, repository-name, image-digest,
 * action-type, image-tag?, manifest-media-type?}}}. Events are best effort; a failed action is reported too.
 * Other ECR detail-types (scan, replication, pull-through cache) share the source and are ignored.
 */
public final class EcrParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    return text(body, "id");
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    if (!"aws.ecr".equals(text(body, "source"))) {
      throw new UnrecognisedPayloadException("expected an EventBridge event with source aws.ecr");
    }
    String detailType = text(body, "detail-type");
    if (!"ECR Image Action".equals(detailType)) {
      return List.of(new Ignored("ECR '" + detailType + "' events are not image actions"));
    }
    JsonObject detail = obj(body, "detail");
    String account = text(body, "account");
    String region = text(body, "region");
    String name = text(detail, "repository-name");
    if (detail == null || account == null || region == null || name == null) {
      throw new UnrecognisedPayloadException("expected account, region and detail.repository-name in an ECR Image Action");
    }
    String action = text(detail, "action-type");
    String result = text(detail, "result");
    if (!"SUCCESS".equals(result)) {
      return List.of(new Ignored("ECR " + action + " of " + name + " did not succeed (" + result + ")"));
    }
    // Private registry host: <account>.dkr.ecr.<region>.amazonaws.com (.com.cn in the China partition).
    String suffix = region.startsWith("cn-") ? ".amazonaws.com.cn/" : ".amazonaws.com/";
    String repository = account + ".dkr.ecr." + region + suffix + name;
    String tag = text(detail, "image-tag");
    String digest = text(detail, "image-digest");
    if ("PUSH".equals(action)) {
      return List.of(new ImagePushed(repository, tag, digest, text(detail, "manifest-media-type")));
    }
    if ("DELETE".equals(action)) {
      return tag == null && digest == null
          ? List.of(new Ignored("ECR DELETE in " + name + " names neither a tag nor a digest"))
          : List.of(new ImageDeleted(repository, tag, digest));
    }
    return List.of(new Ignored("ECR action-type '" + action + "' is not a push or delete"));
  }
}
