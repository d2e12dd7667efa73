package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.ValidationError;
import org.stellaops.orchestrator.platform.Validator;

/** Environments and their workflows: create, read, merge-patch, delete. */
public final class EnvironmentService {

  private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");
  private static final Pattern HTTP_URL = Pattern.compile("https?://\\S+");

  private final EnvironmentRepository repository;
  private final IntegrationService integrations;
  private final StepSecrets secrets;
  private final EgressPolicy egress;

  public EnvironmentService(EnvironmentRepository repository, IntegrationService integrations, StepSecrets secrets,
      EgressPolicy egress) {
    this.repository = repository;
    this.integrations = integrations;
    this.secrets = secrets;
    this.egress = egress;
  }

  public Future<Environment> create(JsonObject body, Principal caller) {
    Validator v = new Validator(body);
    v.requiredString("name", 64);
    Environment blank = new Environment(UUID.randomUUID(), null, null, 0, null, 0, false, null, new JsonArray(),
        3600, new JsonArray(), null, null, caller.actor());
    return validated(apply(blank, body, v), v, null).compose(e -> repository.insert(e)
        .recover(err -> Future.failedFuture(conflict(err, e.name()))));
  }

  public Future<List<Environment>> list() {
    return repository.list();
  }

  public Future<Environment> get(String id) {
    return repository.find(parseId(id)).map(found -> found.orElseThrow(() -> notFound(id)));
  }

  public Future<Environment> update(String id, JsonObject body) {
    return get(id).compose(current -> {
      Validator v = new Validator(body);
      if (body.containsKey("name") && body.getValue("name") == null) {
        v.error("name", "cannot be cleared", "REQUIRED");
      }
      return validated(apply(current, body, v), v, current.workflow()).compose(e -> repository.update(e)
          .recover(err -> Future.failedFuture(conflict(err, e.name())))
          .map(found -> found.orElseThrow(() -> notFound(id))));
    });
  }

  public Future<Void> delete(String id) {
    return repository.delete(parseId(id))
        .recover(e -> Future.failedFuture(Ids.foreignKeyViolation(e)
            ? ApiException.conflict("environment " + id + " is the autoPromoteFrom of another environment")
            : e))
        .map(deleted -> {
          if (!deleted) {
            throw notFound(id);
          }
          return null;
        });
  }

  /**
   * Structural problems are 400s; references to environments or integrations that do not exist
   * are 422s. A workflow sent in the body has its header values sealed ({@code stored}, the
   * workflow saved before, for values sent back as {@value StepSecrets#MASK}); a stored one is
   * checked as answered, with its sealed values masked.
   */
  private Future<Environment> validated(Environment e, Validator v, JsonArray stored) {
    boolean sent = e.workflow() != stored;
    List<UUID> referenced = WorkflowValidator.validate(sent ? e.workflow() : StepSecrets.masked(e.workflow()), v,
        egress);
    JsonArray workflow = sent ? secrets.seal(e.id(), e.workflow(), stored, v) : e.workflow();
    v.throwIfInvalid();
    Environment sealed = new Environment(e.id(), e.name(), e.displayName(), e.orderIndex(), e.url(),
        e.requiredApprovals(), e.autoPromote(), e.autoPromoteFrom(), e.freezeWindows(), e.deploymentTimeout(),
        workflow, e.createdAt(), e.updatedAt(), e.createdBy());
    List<Future<?>> checks = new ArrayList<>();
    List<ValidationError> missing = new java.util.concurrent.CopyOnWriteArrayList<>();
    if (e.autoPromoteFrom() != null) {
      if (e.autoPromoteFrom().equals(e.id())) {
        missing.add(new ValidationError("autoPromoteFrom", "an environment cannot promote from itself", "INVALID_VALUE"));
      } else {
        checks.add(repository.find(e.autoPromoteFrom()).onSuccess(found -> {
          if (found.isEmpty()) {
            missing.add(new ValidationError("autoPromoteFrom", "no environment " + e.autoPromoteFrom(),
                "UNKNOWN_ENVIRONMENT"));
          }
        }));
      }
    }
    for (UUID integration : referenced.stream().distinct().toList()) {
      checks.add(integrations.resolve(integration).onSuccess(found -> {
        if (found.isEmpty() || !found.get().type().isCi()) {
          missing.add(new ValidationError("workflow", "no CI integration " + integration, "UNKNOWN_INTEGRATION"));
        }
      }));
    }
    return Future.all(checks).map(done -> {
      if (!missing.isEmpty()) {
        throw ApiException.unprocessable(missing.get(0).code(), missing.size() == 1 ? missing.get(0).message()
            : missing.size() + " references do not exist", missing);
      }
      return sealed;
    });
  }

  /**
   * Seals header values stored in plaintext (written before they were sealed), in environments
   * and in the workflow snapshots of promotions. Idempotent: run at every start, it finds
   * nothing once done. Returns how many rows it sealed.
   */
  public Future<Integer> sealStoredHeaders(PromotionRepository promotions) {
    Future<Integer> environments = repository.withPlaintextHeaders().compose(all -> Future.all(all.stream()
        .map(env -> repository.reseal(env, secrets.sealPlaintext(env.id(), env.workflow()))).toList())
        .map(done -> count(done.list())));
    return environments.compose(envs -> promotions.withPlaintextHeaders().compose(all -> Future.all(all.stream()
        .map(p -> promotions.reseal(p, secrets.sealPlaintext(p.targetEnvironmentId(), p.steps()))).toList())
        .map(done -> envs + count(done.list()))));
  }

  private static int count(List<Boolean> done) {
    return (int) done.stream().filter(Boolean::booleanValue).count();
  }

  /** Applies the fields present in {@code body} to {@code base} (merge-patch semantics). */
  private static Environment apply(Environment base, JsonObject body, Validator v) {
    String name = base.name();
    if (v.has("name")) {
      name = v.matching("name", v.optionalString("name", 64), NAME,
          "lower-case letters, digits and '-' (at most 64), such as staging or prod-eu");
    }
    String displayName = body.containsKey("displayName") ? v.optionalString("displayName", 200) : base.displayName();
    String url = base.url();
    if (body.containsKey("url")) {
      url = v.matching("url", v.optionalString("url", 2048), HTTP_URL, "an http(s) URL");
    }
    int orderIndex = body.containsKey("orderIndex") ? wholeNumber(v, body, "orderIndex", 0, 10_000, 0)
        : base.orderIndex();
    int approvals = body.containsKey("requiredApprovals")
        ? wholeNumber(v, body, "requiredApprovals", 0, 20, 0) : base.requiredApprovals();
    boolean autoPromote = base.autoPromote();
    if (body.containsKey("autoPromote")) {
      Boolean b = v.optionalBoolean("autoPromote");
      autoPromote = b != null && b;
    }
    UUID from = body.containsKey("autoPromoteFrom") ? v.optionalUuid("autoPromoteFrom") : base.autoPromoteFrom();
    int timeout = body.containsKey("deploymentTimeout")
        ? wholeNumber(v, body, "deploymentTimeout", 1, 86_400, 3600) : base.deploymentTimeout();
    JsonArray windows = base.freezeWindows();
    if (body.containsKey("freezeWindows")) {
      windows = freezeWindows(v);
    }
    JsonArray workflow = base.workflow();
    if (body.containsKey("workflow")) {
      JsonArray raw = v.optionalArray("workflow");
      workflow = raw == null ? new JsonArray() : raw;
    }
    return new Environment(base.id(), name, displayName, orderIndex, url, approvals, autoPromote, from, windows,
        timeout, workflow, base.createdAt(), base.updatedAt(), base.createdBy());
  }

  /** {@code [{start, end, reason?}]} with ISO-8601 timestamps, start before end. */
  private static JsonArray freezeWindows(Validator v) {
    JsonArray raw = v.optionalArray("freezeWindows");
    if (raw == null) {
      return new JsonArray();
    }
    for (int i = 0; i < raw.size(); i++) {
      String path = "freezeWindows[" + i + "]";
      if (!(raw.getValue(i) instanceof JsonObject w)) {
        v.error(path, "must be an object {start, end, reason?}", "INVALID_TYPE");
        continue;
      }
      Validator f = v.nested(w, path);
      OffsetDateTime start = time(f, "start");
      OffsetDateTime end = time(f, "end");
      f.optionalString("reason", 500);
      if (start != null && end != null && !end.isAfter(start)) {
        f.error("end", "must be after start", "INVALID_VALUE");
      }
    }
    return raw;
  }

  private static OffsetDateTime time(Validator f, String field) {
    String raw = f.requiredString(field, 64);
    if (raw == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(raw);
    } catch (DateTimeParseException e) {
      f.error(field, "must be an ISO-8601 timestamp such as 2026-12-24T00:00:00Z", "INVALID_FORMAT");
      return null;
    }
  }

  private static int wholeNumber(Validator v, JsonObject body, String field, int min, int max, int fallback) {
    Object raw = body.getValue(field);
    if (raw instanceof Integer n && n >= min && n <= max) {
      return n;
    }
    v.error(field, "must be a whole number from " + min + " to " + max, "OUT_OF_RANGE");
    return fallback;
  }

  private static Throwable conflict(Throwable e, String name) {
    return Ids.uniqueViolation(e)
        ? ApiException.conflict("an environment named '" + name + "' already exists") : e;
  }

  static UUID parseId(String id) {
    return Ids.uuidOr404(id, "environment");
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("environment " + id);
  }
}
