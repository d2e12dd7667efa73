package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class EcrParserTest {

  static final String REPO = "123456789012.dkr.ecr.us-west-2.amazonaws.com/team/payments-api";
  static final String DIGEST = "sha256:02915c173f5b5238c520514331165c9c1e1d2a5a6d088b612fd675a5f265a853";

  private final EcrParser parser = new EcrParser();

  @Test
  @DisplayName("a successful PUSH names the private registry host built from account and region")
  void push() {
    JsonObject body = load("ecr/push-success.json");

    assertThat(parser.parse(Map.of(), body)).containsExactly(
        new ImagePushed(REPO, "latest", DIGEST, "application/vnd.oci.image.manifest.v1+json"));
    assertThat(parser.deliveryId(Map.of(), body)).isEqualTo("13cde686-328b-6117-af20-0e5566167482");
  }

  @Test
  @DisplayName("a push without image-tag is a push by digest; China regions use amazonaws.com.cn")
  void untaggedChina() {
    assertThat(parser.parse(Map.of(), load("ecr/push-china-by-digest.json"))).containsExactly(
        new ImagePushed("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/payments-api", null, DIGEST, null));
  }

  @Test
  @DisplayName("a successful DELETE becomes an image delete")
  void delete() {
    assertThat(parser.parse(Map.of(), load("ecr/delete-success.json"))).containsExactly(new ImageDeleted(REPO, "latest", DIGEST));
  }

  @Test
  @DisplayName("a FAILURE result is ignored")
  void failure() {
    assertThat(parser.parse(Map.of(), load("ecr/push-failure.json"))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("FAILURE"));
  }

  @Test
  @DisplayName("other ECR detail-types such as image scans are ignored")
  void otherDetailType() {
    assertThat(parser.parse(Map.of(), load("ecr/image-scan.json"))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("ECR Image Scan"));
  }

  @Test
  @DisplayName("an event whose source is not aws.ecr is unrecognised")
  void notEcr() {
    assertThatThrownBy(() -> parser.parse(Map.of(), load("ecr/push-success.json").put("source", "aws.s3")))
        .isInstanceOf(UnrecognisedPayloadException.class);
  }
}
