package org.stellaops.orchestrator.support;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The request-body schemas of the GitHub operations the gateway calls, as GitHub publishes them
 * ({@code github-openapi/request-bodies.json}, extracted by {@code github-openapi/extract.mjs} from the npm
 * package {@code @octokit/openapi}, which is built from https://github.com/github/rest-api-description).
 * GitHub answers a body its schema rejects with 422 "Invalid request."
 * (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#validation-failed).
 */
public final class GitHubRequestBodies {

  private static final String RESOURCE = "/github-openapi/request-bodies.json";
  private static final JsonObject OPERATIONS = load();
  private static final Map<String, Validator> VALIDATORS = new ConcurrentHashMap<>();

  private GitHubRequestBodies() {}

  /** Where the schemas came from: the npm package name and version. */
  public static String source() {
    return OPERATIONS.getString("source");
  }

  /**
   * Why GitHub would refuse {@code body} for {@code operationId} (e.g. {@code repos/create-deployment-status}),
   * worded as GitHub words it after "Invalid request." ({@code "ref" wasn't supplied.}, {@code For
   * 'properties/log_url', … }), or empty when the body is valid.
   */
  public static Optional<String> refusal(String operationId, JsonObject body) {
    Validator validator = VALIDATORS.computeIfAbsent(operationId, GitHubRequestBodies::validator);
    OutputUnit result = validator.validate(body);
    if (Boolean.TRUE.equals(result.getValid())) {
      return Optional.empty();
    }
    return Optional.of(result.getErrors() == null ? "invalid" : result.getErrors().stream()
        .map(GitHubRequestBodies::worded)
        .distinct()
        .collect(Collectors.joining("\n")));
  }

  private static String worded(OutputUnit error) {
    java.util.regex.Matcher missing = java.util.regex.Pattern.compile("required property \"?([^\"\\s]+)\"?")
        .matcher(String.valueOf(error.getError()));
    if (missing.find()) {
      return "\"" + missing.group(1) + "\" wasn't supplied.";
    }
    String location = String.valueOf(error.getInstanceLocation()).replaceFirst("^#?/?", "");
    return "For 'properties/" + location + "', " + error.getError() + ".";
  }

  private static Validator validator(String operationId) {
    JsonObject operation = OPERATIONS.getJsonObject("operations").getJsonObject(operationId);
    if (operation == null) {
      throw new IllegalArgumentException(operationId + " is not in " + RESOURCE + ": run extract.mjs with it");
    }
    return Validator.create(JsonSchema.of(operation.getJsonObject("schema")),
        new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("https://api.github.com/")
            .setOutputFormat(io.vertx.json.schema.OutputFormat.Basic));
  }

  private static JsonObject load() {
    try (InputStream in = GitHubRequestBodies.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the test classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
