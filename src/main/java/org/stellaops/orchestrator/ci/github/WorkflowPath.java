package org.stellaops.orchestrator.ci.github;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A pipelineId {@code owner/repo/workflow} and the API paths under it. Pure. */
record WorkflowPath(String owner, String repo, String workflow) {

  /** @throws IllegalArgumentException unless there are exactly three non-empty parts */
  static WorkflowPath parse(String pipelineId) {
    String[] parts = pipelineId == null ? new String[0] : pipelineId.split("/", -1);
    if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
      throw new IllegalArgumentException("pipelineId '" + pipelineId
          + "' is not owner/repo/workflow (a workflow file name like release.yml, or its id)");
    }
    return new WorkflowPath(parts[0], parts[1], parts[2]);
  }

  String repoPath() {
    return "/repos/" + segment(owner) + "/" + segment(repo);
  }

  String workflowPath() {
    return repoPath() + "/actions/workflows/" + segment(workflow);
  }

  /** {@code /repos/{o}/{r}/contents/{path}}, each segment of the file path encoded. */
  String contentsPath(String file) {
    return repoPath() + "/contents/" + java.util.Arrays.stream(file.split("/"))
        .map(WorkflowPath::segment).collect(java.util.stream.Collectors.joining("/"));
  }

  String runPath(String runId) {
    return repoPath() + "/actions/runs/" + segment(runId);
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
