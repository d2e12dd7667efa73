package org.stellaops.orchestrator.integration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import org.stellaops.orchestrator.crypto.CredentialCipher;
import org.stellaops.orchestrator.platform.Events;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Change;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.ValidationError;
import org.stellaops.orchestrator.platform.Validator;
import org.stellaops.orchestrator.egress.EgressPolicy;

/**
 * Integrations: CRUD with write-only credentials, and {@link #resolve}, the webhook hot path's
 * cached lookup. The cache keeps decrypted integrations for a few seconds; a change is
 * published on the (clustered) event bus and drops the cached copy on every replica at once;
 * {@link #CACHE_MILLIS} bounds staleness should that message be lost.
 *
 * <p>The cache holds at most {@link #MAX_CACHED} integrations and only ones that exist: a
 * webhook to an unknown id (which anyone can send) reads the database and leaves nothing
 * behind, so unauthenticated traffic cannot grow it.
 */
public final class IntegrationService {

  static final long CACHE_MILLIS = 5_000;
  static final int MAX_CACHED = 4_096;
  /** Config keys holding the URLs an integration's credentials are sent to. */
  static final List<String> CREDENTIAL_URLS = List.of("endpoint", "apiUrl", "webUrl", "registryUrl");
  /** Hosts other than the registry's own that may serve its token realm (the registry password goes there). */
  public static final String TOKEN_REALM_HOSTS = "tokenRealmHosts";

  private final IntegrationRepository repository;
  private final CredentialCipher cipher;
  // Maintenance runs on the calling thread: it is a few map operations, and the size the
  // gauge reports is then exact rather than eventually consistent.
  private final Cache<UUID, ResolvedIntegration> cache = Caffeine.newBuilder()
      .maximumSize(MAX_CACHED)
      .expireAfterWrite(Duration.ofMillis(CACHE_MILLIS))
      .executor(Runnable::run)
      .build();

  private final EventBus eventBus;
  private final EgressPolicy egress;

  public IntegrationService(IntegrationRepository repository, CredentialCipher cipher, EventBus eventBus,
      EgressPolicy egress, MeterRegistry registry) {
    this.repository = repository;
    this.cipher = cipher;
    this.eventBus = eventBus;
    this.egress = egress;
    Gauge.builder("stella.integration.cache.entries", cache, Cache::estimatedSize)
        .description("Integrations held decrypted by the webhook lookup cache (at most " + MAX_CACHED + ")")
        .register(registry);
  }

  /** Drops cached copies when any replica changes an integration; call once at start-up. */
  public MessageConsumer<String> listenForChanges() {
    return eventBus.consumer(Events.INTEGRATION_CHANGED, msg -> cache.invalidate(UUID.fromString(msg.body())));
  }

  private void changed(UUID id) {
    cache.invalidate(id);
    eventBus.publish(Events.INTEGRATION_CHANGED, id.toString());
  }

  public Future<Integration> create(CreateIntegration command, Principal caller) {
    UUID id = UUID.randomUUID();
    JsonObject credentials = command.credentials();
    byte[] sealed = credentials.isEmpty() ? null : cipher.encrypt(id, credentials);
    return repository.insert(id, command.type(), command.name(), command.config(), sealed,
            new ArrayList<>(credentials.fieldNames()), caller.actor())
        .recover(e -> Future.failedFuture(conflict(e, command.name())));
  }

  public Future<Page<Integration>> list(String type, String cursor, String limit) {
    return repository.list(type, cursor == null ? null : Cursor.decode(IntegrationRepository.CURSOR_LIST, cursor), Cursor.limit(limit));
  }

  public Future<Integration> get(String id) {
    return repository.find(parseId(id)).map(found -> found.orElseThrow(() -> notFound(id)));
  }

  /**
   * Applies {@code patch} to the stored integration: 404 when there is none; 400 when the type differs or
   * the merged config breaks a rule (the egress policy among them); 422 when a credential URL moves
   * without its credentials ({@link #requireCredentialsForNewDestination}). Credentials not sent are
   * kept without ever being read back out.
   */
  public Future<Integration> update(String id, IntegrationPatch patch) {
    return get(id).compose(current -> {
      Validator v = new Validator(new JsonObject());
      if (patch.type().isPresent() && patch.type().get() != current.type()) {
        v.error("type", IntegrationPatch.TYPE_IMMUTABLE, "IMMUTABLE");
      }
      String name = patch.name().applyTo(current.name());
      JsonObject config = Change.merge(current.config(), patch.config());
      checkConfig(v, config, egress);
      RegistryHosts.check(v, current.type(), config);
      v.throwIfInvalid();
      JsonObject stored = current.sealedCredentials() == null
          ? new JsonObject() : cipher.decrypt(current.id(), current.sealedCredentials());
      requireCredentialsForNewDestination(current.config(), config, stored, patch.credentials().keySet());
      JsonObject credentials = Change.merge(stored, patch.credentials());
      byte[] sealed = credentials.isEmpty() ? null : cipher.encrypt(current.id(), credentials);
      Integration patched = new Integration(current.id(), current.type(), name, config, sealed,
          new ArrayList<>(credentials.fieldNames()), current.healthStatus(), current.lastHealthCheck(),
          current.createdAt(), current.updatedAt(), current.createdBy());
      return repository.update(patched)
          .recover(e -> Future.failedFuture(conflict(e, name)))
          .map(found -> found.orElseThrow(() -> notFound(id)))
          .onSuccess(i -> changed(i.id()));
    });
  }

  public Future<Void> delete(String id) {
    UUID uuid = parseId(id);
    return repository.delete(uuid).map(deleted -> {
      changed(uuid);
      if (!deleted) {
        throw notFound(id);
      }
      return null;
    });
  }

  /** The integration with decrypted credentials, cached briefly; empty when it does not exist (never cached). */
  public Future<Optional<ResolvedIntegration>> resolve(UUID id) {
    ResolvedIntegration hit = cache.getIfPresent(id);
    if (hit != null) {
      return Future.succeededFuture(Optional.of(hit));
    }
    return repository.find(id).map(found -> {
      Optional<ResolvedIntegration> resolved = found.map(i -> new ResolvedIntegration(i.id(), i.type(), i.name(),
          i.config(), i.sealedCredentials() == null ? new JsonObject() : cipher.decrypt(i.id(), i.sealedCredentials())));
      resolved.ifPresent(r -> cache.put(id, r));
      return resolved;
    });
  }

  /**
   * Credentials follow the config's URLs; pointing those elsewhere without supplying the
   * credentials again would let whoever may edit an integration, but not read its secrets, have
   * them sent to a server of their choosing. So a patch that moves any of them to another host
   * must set (or remove) every stored credential that is sent out (all but the webhook secret):
   * a 422 naming {@code credentials} otherwise.
   */
  static void requireCredentialsForNewDestination(JsonObject before, JsonObject after, JsonObject stored,
      java.util.Set<String> sentCredentials) {
    List<String> moved = movedDestinations(before, after);
    if (moved.isEmpty() || stored.isEmpty()) {
      return;
    }
    // The webhook secret is only ever compared with what senders present, never sent anywhere.
    List<String> missing = stored.fieldNames().stream().filter(k -> !k.equals("webhookSecret"))
        .filter(k -> !sentCredentials.contains(k)).sorted().toList();
    if (missing.isEmpty()) {
      return;
    }
    String keys = String.join(", ", moved.stream().map(k -> "config." + k).toList());
    throw ApiException.unprocessable("CREDENTIALS_REQUIRED", "changing where " + keys
        + " points sends this integration's credentials to another host; send them again in the same request",
        List.of(new ValidationError("credentials", "must set again (or remove) " + missing + " when "
            + keys + " moves to another host", "REQUIRED")));
  }

  /**
   * The config keys whose destination differs: another host or port (scheme default ports
   * filled in, host case ignored), or a URL added or removed (which moves to or from the vendor's
   * default). {@code tokenRealmHosts} counts too: a registry password goes to those hosts; and,
   * while no {@code registryUrl} is set, so do {@code registryHosts} and {@code registryHost}. Pure.
   */
  static List<String> movedDestinations(JsonObject before, JsonObject after) {
    List<String> moved = new ArrayList<>();
    for (String key : CREDENTIAL_URLS) {
      if (!Objects.equals(destination(before.getValue(key)), destination(after.getValue(key)))) {
        moved.add(key);
      }
    }
    if (!Objects.equals(realmHosts(before), realmHosts(after))) {
      moved.add(TOKEN_REALM_HOSTS);
    }
    // Without registryUrl the registry is reached at the host an event names, which these bound.
    if (after.getValue("registryUrl") == null) {
      for (String key : List.of("registryHosts", "registryHost")) {
        if (!Objects.equals(lowerCased(before.getValue(key)), lowerCased(after.getValue(key)))) {
          moved.add(key);
        }
      }
    }
    return moved;
  }

  /** {@code host:port} of a URL, lower case, the scheme's default port filled in; null when absent or unreadable. */
  static String destination(Object url) {
    if (!(url instanceof String text)) {
      return null;
    }
    try {
      URI uri = new URI(text);
      if (uri.getHost() == null) {
        return text;
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
      return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (URISyntaxException e) {
      return text;
    }
  }

  /** A host or a list of hosts as a set of lower-case texts; null when absent. Pure. */
  private static java.util.Set<String> lowerCased(Object hosts) {
    if (hosts == null) {
      return null;
    }
    List<?> all = hosts instanceof JsonArray array ? array.getList() : List.of(hosts);
    return all.stream().map(h -> String.valueOf(h).toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  private static java.util.Set<String> realmHosts(JsonObject config) {
    return config.getValue(TOKEN_REALM_HOSTS) instanceof JsonArray hosts
        ? hosts.stream().map(h -> String.valueOf(h).toLowerCase(Locale.ROOT)).collect(Collectors.toSet())
        : java.util.Set.of();
  }

  /** The config's URLs, token realm hosts, poll settings and registry host; a URL the egress policy denies too. */
  static void checkConfig(Validator v, JsonObject config, EgressPolicy egress) {
    for (String key : CREDENTIAL_URLS) {
      Object value = config.getValue(key);
      if (value != null && (!(value instanceof String s) || !s.matches("https?://\\S+"))) {
        v.error("config." + key, "must be an http(s) URL", "INVALID_FORMAT");
      } else if (value != null) {
        egress.checkUrl(v, "config." + key, (String) value);
      }
    }
    Object realmHosts = config.getValue(TOKEN_REALM_HOSTS);
    if (realmHosts != null && !(realmHosts instanceof JsonArray hosts && hosts.size() <= 20
        && hosts.stream().allMatch(h -> h instanceof String s && s.matches("[A-Za-z0-9.-]{1,253}")))) {
      v.error("config." + TOKEN_REALM_HOSTS, "must be a list of at most 20 host names such as auth.example.com",
          "INVALID_FORMAT");
    }
    wholeNumber(v, config, "pollIntervalSeconds", 1, 86_400);
    wholeNumber(v, config, "maxConcurrentPolls", 1, 1_000);
    Object host = config.getValue("registryHost");
    if (host != null && (!(host instanceof String s) || !s.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?"))) {
      v.error("config.registryHost", "must be a registry host such as registry.example.com[:port]", "INVALID_FORMAT");
    }
  }

  /** An optional whole-number setting within [min, max]. */
  private static void wholeNumber(Validator v, JsonObject config, String key, int min, int max) {
    Object value = config.getValue(key);
    if (value != null && !(value instanceof Integer || value instanceof Long)
        || value instanceof Number n && (n.longValue() < min || n.longValue() > max)) {
      v.error("config." + key, "must be a whole number from " + min + " to " + max, "INVALID_VALUE");
    }
  }

  private static Throwable conflict(Throwable e, String name) {
    return Ids.uniqueViolation(e)
        ? ApiException.conflict("an integration named '" + name + "' already exists") : e;
  }

  static UUID parseId(String id) {
    return Ids.uuidOr404(id, "integration");
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("integration " + id);
  }
}
