package org.stellaops.orchestrator.ci.github;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.IntStream;
import org.stellaops.orchestrator.ci.HttpErrors;

/**
 * Finding the run a dispatch started: GitHub answers it 204 without the run's id
 * (https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event), so the
 * run is found in the workflow's run list. Pure.
 *
 * <p>Guarantee: with a correlation id, only a run whose {@code display_title} contains it is ever picked.
 * Without one, the oldest run since {@link #since} is picked, which is right for one dispatch at a time
 * per workflow and ref and may be wrong for concurrent ones.
 */
final class Discovery {

  private Discovery() {}

  /** The earliest creation time a run of ours can have: clocks differ, so some slack before the trigger. */
  static Instant since(Instant triggeredAt) {
    return triggeredAt.minusSeconds(GitHubConnector.DISCOVERY_SLACK_SECONDS);
  }

  /** The list filter takes a branch or tag name, not a full ref. */
  static String branch(String ref) {
    if (ref == null) {
      return null;
    }
    for (String prefix : new String[] {"refs/heads/", "refs/tags/"}) {
      if (ref.startsWith(prefix)) {
        return ref.substring(prefix.length());
      }
    }
    return ref;
  }

  /**
   * Our run among {@code workflow_runs}: by correlation id in the title when there is one, else the oldest
   * created at or after {@code since} (the server filters on that too; checking again costs nothing).
   */
  static Optional<JsonObject> pick(JsonArray runs, String correlationId, Instant since) {
    if (runs == null) {
      throw new IllegalStateException("no \"workflow_runs\"");
    }
    var candidates = IntStream.range(0, runs.size()).mapToObj(runs::getJsonObject);
    if (correlationId != null) {
      return candidates
          .filter(run -> run.getString("display_title", "").contains(correlationId))
          .findFirst();
    }
    return candidates
        .filter(run -> !createdAt(run).isBefore(since))
        .min(Comparator.comparing(Discovery::createdAt));
  }

  private static Instant createdAt(JsonObject run) {
    try {
      return Instant.parse(HttpErrors.text(run, "created_at"));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalStateException("created_at is not ISO-8601: " + run.getString("created_at"));
    }
  }
}
