package org.stellaops.orchestrator.ci.github;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.stellaops.orchestrator.ci.BoundedCache;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.HttpErrors;

/**
 * Reads which inputs a workflow declares, from its file in the repository, so a dispatch is checked before
 * GitHub refuses it. Each file version (its blob sha) is parsed once; the cache is shared by the connectors
 * of all integrations.
 */
final class WorkflowFiles {

  private final GitHubApi api;
  private final BoundedCache<String, WorkflowInputs> inputsBySha;

  WorkflowFiles(GitHubApi api, BoundedCache<String, WorkflowInputs> inputsBySha) {
    this.api = api;
    this.inputsBySha = inputsBySha;
  }

  /**
   * The workflow file's {@code on.workflow_dispatch.inputs} at {@code ref}, through the contents API
   * (https://docs.github.com/en/rest/repos/contents#get-repository-content); parsed once per file version (its
   * blob sha). A workflow given by numeric id is first looked up for its file path.
   */
  Future<WorkflowInputs> declaredInputs(WorkflowPath path, String ref) {
    return filePath(path).compose(file -> {
      String what = "workflow file " + file + " of " + path.owner() + "/" + path.repo() + (ref == null ? ""
          : " at " + ref) + " (read to learn its inputs; the token needs contents:read)";
      HttpRequest<Buffer> request = api.request(HttpMethod.GET, path.contentsPath(file));
      if (ref != null) {
        request.addQueryParam("ref", ref);
      }
      return api.json(request, what, json -> json)
          .map(json -> inputsOf(json, what));
    });
  }

  private WorkflowInputs inputsOf(JsonObject file, String what) {
    String sha = file.getString("sha");
    if (sha != null) {
      Optional<WorkflowInputs> cached = inputsBySha.get(sha);
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    String content = file.getString("content");
    if (content == null || !"base64".equals(file.getString("encoding"))) {
      throw new CiException.Rejected(api.label() + ": " + what + " came without its content (a file over 1 MB?)");
    }
    WorkflowInputs inputs;
    try {
      inputs = WorkflowInputs.parse(new String(Base64.getMimeDecoder().decode(content), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new CiException.Rejected(api.label() + ": " + what + ": " + e.getMessage());
    }
    if (sha != null) {
      inputsBySha.put(sha, inputs);
    }
    return inputs;
  }

  /**
   * {@code .github/workflows/<file>} for a file name; for a numeric id, the {@code path} GitHub answers for it
   * (https://docs.github.com/en/rest/actions/workflows#get-a-workflow).
   */
  private Future<String> filePath(WorkflowPath path) {
    if (!path.workflow().chars().allMatch(Character::isDigit)) {
      return Future.succeededFuture(".github/workflows/" + path.workflow());
    }
    String what = "workflow " + path.workflow() + " of " + path.owner() + "/" + path.repo();
    return api.json(api.request(HttpMethod.GET, path.workflowPath()), what, json -> HttpErrors.text(json, "path"));
  }
}
