package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.ValidationError;
import org.stellaops.orchestrator.platform.Validator;

/** Environments and their workflows: create, read, merge-patch, delete. */
public final class EnvironmentService {

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

  public Future<Environment> create(CreateEnvironment command, Principal caller) {
    CreateEnvironment.PromotionRules rules = command.rules();
    Environment environment = new Environment(UUID.randomUUID(), command.name(), command.displayName(),
        command.orderIndex(), command.url(), rules.requiredApprovals(), rules.autoPromote(), rules.autoPromoteFrom(),
        rules.freezeWindows(), rules.deploymentTimeout(), command.workflow(), null, null, caller.actor());
    return validated(environment, null).compose(e -> repository.insert(e)
        .recover(err -> Future.failedFuture(conflict(err, e.name()))));
  }

  public Future<List<Environment>> list() {
    return repository.list();
  }

  public Future<Environment> get(String id) {
    return repository.find(parseId(id)).map(found -> found.orElseThrow(() -> notFound(id)));
  }

  /** Applies {@code patch} to the stored environment: 404 when there is none, then the checks of {@link #validated}. */
  public Future<Environment> update(String id, EnvironmentPatch patch) {
    return get(id).compose(current -> validated(apply(current, patch), current.workflow())
        .compose(e -> repository.update(e)
            .recover(err -> Future.failedFuture(conflict(err, e.name())))
            .map(found -> found.orElseThrow(() -> notFound(id)))));
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
  private Future<Environment> validated(Environment e, JsonArray stored) {
    Validator v = new Validator(new JsonObject());
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

  /** {@code base} with the patch's changes; identity, timestamps and creator stay. Pure. */
  static Environment apply(Environment base, EnvironmentPatch patch) {
    return new Environment(base.id(), patch.name().applyTo(base.name()),
        patch.displayName().applyTo(base.displayName()), patch.orderIndex().applyTo(base.orderIndex()), patch.url().applyTo(base.url()),
        patch.requiredApprovals().applyTo(base.requiredApprovals()), patch.autoPromote().applyTo(base.autoPromote()),
        patch.autoPromoteFrom().applyTo(base.autoPromoteFrom()), patch.freezeWindows().applyTo(base.freezeWindows()),
        patch.deploymentTimeout().applyTo(base.deploymentTimeout()), patch.workflow().applyTo(base.workflow()),
        base.createdAt(), base.updatedAt(), base.createdBy());
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
