package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks each bearer-route request against its operation in the served description
 * ({@link OpenApi#RESOURCE}) before the route's handler runs, so the API's documentation and
 * the structural checks are one text: parameters and body against their schemas (types,
 * required fields, lengths, ranges, enums, patterns). A mismatch is a 400
 * {@code VALIDATION_FAILED} naming the field in the envelope's style ({@code components[0].digest}).
 *
 * <p>Business rules (a release's components exist, a step's config is coherent) stay in the
 * services. The body is first read by {@link Bodies}, so content type, malformed or commented
 * JSON and text PostgreSQL cannot store are answered as on every other route. What the validator
 * reports is turned into the envelope's field errors by {@link SchemaErrors}.
 */
public final class ContractValidation {

  private final Vertx vertx;
  private final OpenAPIContract contract;
  private final JsonObject description;
  // The implementation, for its one-parameter and body checks: its validate() stops at the first bad parameter.
  private final RequestValidatorImpl validator;

  private ContractValidation(Vertx vertx, OpenAPIContract contract) {
    this.vertx = vertx;
    this.contract = contract;
    this.description = contract.getRawContract();
    this.validator = new RequestValidatorImpl(vertx, contract);
  }

  /** Loads and checks the description once; a description the validator rejects stops start-up. */
  public static Future<ContractValidation> load(Vertx vertx, Buffer document) {
    // vertx-openapi's own YAML reading (its public helper), so the copy is read as the library reads files.
    return io.vertx.openapi.impl.Utils.yamlStringToJson(document.toString())
        .map(ContractValidation::requestChecksOnly)
        .compose(json -> OpenAPIContract.from(vertx, json))
        .map(contract -> new ContractValidation(vertx, contract));
  }

  /**
   * The part of the description this class checks against: the bearer operations' parameters
   * and JSON request bodies. Left out of the copy, not of the served document: operations
   * without a bearer token ({@code security: []}, checked by their own handlers against the raw
   * body), responses and the outgoing {@code webhooks}, whose media types (YAML, forms, text)
   * vertx-openapi refuses to load; the non-JSON request media types (the body is read as JSON
   * by {@link Bodies}); and {@code servers: [{url: /}]}, OpenAPI's own default, which
   * vertx-openapi refuses because it accepts absolute server URLs only.
   */
  static JsonObject requestChecksOnly(JsonObject description) {
    JsonObject copy = description.copy();
    copy.remove("servers");
    copy.remove("webhooks");
    JsonObject paths = copy.getJsonObject("paths");
    for (String path : List.copyOf(paths.fieldNames())) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : List.copyOf(item.fieldNames())) {
        if (!(item.getValue(method) instanceof JsonObject operation) || !isMethod(method)) {
          continue;
        }
        if (operation.getJsonArray("security") != null && operation.getJsonArray("security").isEmpty()) {
          item.remove(method);
          continue;
        }
        operation.put("responses", new JsonObject().put("default", new JsonObject().put("description", "not checked")));
        JsonObject body = operation.getJsonObject("requestBody");
        if (body != null && body.getJsonObject("content") != null) {
          JsonObject content = body.getJsonObject("content");
          content.fieldNames().removeIf(mediaType -> !mediaType.equals("application/json"));
        }
      }
      if (item.fieldNames().stream().noneMatch(ContractValidation::isMethod)) {
        paths.remove(path);
      }
    }
    return copy;
  }

  private static boolean isMethod(String key) {
    return List.of("get", "put", "post", "delete", "options", "head", "patch", "trace").contains(key);
  }

  /**
   * The check for the route {@code method path} (Vert.x style, {@code :id}); fails fast at
   * start-up when the description has no such operation, so the two cannot drift apart.
   */
  public Handler<RoutingContext> forRoute(HttpMethod method, String routePath) {
    String openApiPath = routePath.replaceAll(":([A-Za-z]+)", "{$1}");
    Operation operation = contract.operations().stream()
        .filter(o -> o.getHttpMethod().equals(method) && samePath(openApiPath, o.getOpenAPIPath()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("openapi.yaml has no operation " + method + " " + openApiPath));
    return ctx -> validate(ctx, operation);
  }

  /** Equal paths; a route's trailing {@code *} (a release name holding slashes) is one path parameter. */
  private static boolean samePath(String route, String described) {
    if (!route.endsWith("/*")) {
      return route.equals(described);
    }
    String prefix = route.substring(0, route.length() - 1);
    return described.startsWith(prefix) && described.substring(prefix.length()).matches("\\{[A-Za-z]+}");
  }

  private void validate(RoutingContext ctx, Operation operation) {
    Buffer raw = ctx.body().buffer();
    boolean hasBody = raw != null && raw.length() > 0;
    if (operation.getRequestBody() != null && (hasBody || operation.getRequestBody().isRequired())) {
      Bodies.jsonObject(ctx);
    }
    RequestUtils.extract(ctx.request(), operation, () -> Future.succeededFuture(hasBody ? raw : null))
        // Off the event loop, as vertx-openapi's own validate() does: a body is up to http.bodyLimit.
        .compose(request -> vertx.executeBlocking(() -> problems(operation, request, hasBody), false))
        .onSuccess(problems -> {
          if (problems.isEmpty()) {
            ctx.next();
          } else {
            ctx.fail(ApiException.validation(problems, problems.size()));
          }
        })
        .onFailure(ctx::fail);
  }

  /**
   * Every query parameter is checked on its own (the library stops at the first), then the
   * body. Path parameters are left to the handlers: an id that cannot exist is a 404 there.
   */
  private List<ValidationError> problems(Operation operation, ValidatableRequest request, boolean hasBody) {
    Map<String, ValidationError> byField = new LinkedHashMap<>();
    for (Parameter parameter : operation.getParameters()) {
      if (parameter.getIn() != Location.QUERY) {
        continue;
      }
      RequestParameter value = request.getQuery().getOrDefault(parameter.getName(), new RequestParameterImpl(null));
      try {
        if (parameter.getSchemaType() == SchemaType.STRING && !value.isNull()) {
          // The library reads a form value as JSON first, so tag=1.1 would be the number 1.1
          // and refused by a string schema; a string parameter is checked as sent.
          OutputUnit result = contract.getSchemaRepository().validator(parameter.getSchema())
              .validate(String.valueOf(value.get()));
          if (!Boolean.TRUE.equals(result.getValid())) {
            throw SchemaValidationException.createInvalidValueParameter(parameter, result, null);
          }
        } else {
          validator.validateParameter(parameter, value);
        }
      } catch (ValidatorException invalid) {
        SchemaErrors.errors(invalid, parameter.getName(), description).forEach(e -> byField.putIfAbsent(e.field(), e));
      }
    }
    if (hasBody && operation.getRequestBody() != null) {
      // Bodies accepted the content type (any JSON type); the schema is the application/json one.
      ValidatableRequest body = new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(), request.getBody(),
          "application/json");
      try {
        validator.validateBody(operation.getRequestBody(), body);
      } catch (ValidatorException invalid) {
        SchemaErrors.errors(invalid, null, description).forEach(e -> byField.putIfAbsent(e.field(), e));
      }
    }
    return List.copyOf(byField.values());
  }
}
