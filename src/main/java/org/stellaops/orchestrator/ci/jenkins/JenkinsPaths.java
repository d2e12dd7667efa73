package org.stellaops.orchestrator.ci.jenkins;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Job paths, run ids and queue Locations (https://www.jenkins.io/doc/book/using/remote-access-api/). Pure. */
final class JenkinsPaths {

  static final String QUEUE_PREFIX = "queue:";

  private static final Pattern QUEUE_ITEM = Pattern.compile("/queue/item/(\\d+)/?$");

  private JenkinsPaths() {}

  /**
   * {@code folder/sub/job} → {@code /job/folder/job/sub/job/job}, each segment URL-encoded, so a multibranch branch
   * written {@code feature%2Fx} in the pipelineId becomes {@code feature%252Fx} as Jenkins expects.
   *
   * @throws IllegalArgumentException when there is no segment at all
   */
  static String job(String pipelineId) {
    String path = Arrays.stream(pipelineId == null ? new String[0] : pipelineId.split("/"))
        .filter(segment -> !segment.isEmpty())
        .map(segment -> "/job/" + URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining());
    if (path.isEmpty()) {
      throw new IllegalArgumentException("pipelineId '" + pipelineId + "' names no Jenkins job (folder/sub/job)");
    }
    return path;
  }

  /** The queue item id in a trigger's {@code Location: {jenkins}/queue/item/{id}/}; empty for anything else. */
  static Optional<String> queueId(String location) {
    if (location == null) {
      return Optional.empty();
    }
    Matcher m = QUEUE_ITEM.matcher(location);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  static String queueRunId(String queueId) {
    return QUEUE_PREFIX + queueId;
  }

  /** The queue item id of a {@code queue:{id}} run id, empty for a build number. */
  static Optional<String> queueIdOf(String runId) {
    return runId != null && runId.startsWith(QUEUE_PREFIX)
        ? Optional.of(runId.substring(QUEUE_PREFIX.length()))
        : Optional.empty();
  }

  /** @throws IllegalArgumentException unless the run id is a queue item or a build number */
  static String requireWellFormed(String runId) {
    String digits = queueIdOf(runId).orElse(runId);
    if (digits == null || digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("run id '" + runId + "' is neither queue:<id> nor a build number");
    }
    return runId;
  }
}
