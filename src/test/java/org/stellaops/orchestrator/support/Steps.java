package org.stellaops.orchestrator.support;

import io.vertx.core.json.JsonObject;

/** Promotion workflow steps as the environments API takes them. */
public final class Steps {

  private Steps() {}

  /** A trigger-ci step on {@code integrationId} that waits for the run to end, up to 120 s. */
  public static JsonObject triggerCiAndWait(String integrationId, JsonObject config) {
    return new JsonObject().put("id", "ci").put("type", "trigger-ci").put("config", config
        .put("integrationId", integrationId).put("waitForCompletion", true).put("timeout", 120));
  }

  /** A deploy step posting to {@code url}. */
  public static JsonObject deployTo(String url) {
    return new JsonObject().put("id", "deploy").put("type", "deploy").put("config", new JsonObject().put("url", url));
  }
}
