package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stellaops.orchestrator.integration.IntegrationType;
import org.stellaops.orchestrator.integration.RegistryHosts;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/** The pure rules behind an integration's registry scope: host canonical form, screening, candidates. */
class RegistryScopeRulesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "null", value = {
      "Registry.Example.COM, registry.example.com",
      "registry.example.com., registry.example.com",
      "10.0.0.5:5000, 10.0.0.5:5000",
      "localhost:05000, localhost:5000",
      "index.docker.io, docker.io",
      "registry-1.docker.io, docker.io",
      "registry.example.com:0, null",
      "registry.example.com:65536, null",
      "https://registry.example.com, null",
      "registry.example.com/team, null",
      "reg_istry.example.com, null",
      "registry..example.com, null",
      "'', null",
      "[::1]:5000, null"})
  @DisplayName("hosts compare in one canonical form: lower case, no trailing dot, port kept, Docker Hub aliases as docker.io")
  void canonicalHosts(String raw, String expected) {
    assertThat(RegistryHosts.canonical(raw)).isEqualTo(expected);
  }

  @Test
  @DisplayName("an integration with no registry hosts acts on no image event, and says to set config.registryHosts")
  void noHostsNoEvents() {
    WebhookEvent screened = RegistryScope.screen(new WebhookEvent.ImagePushed("myregistry.azurecr.io/app", "v1",
        null, null), List.of());
    assertThat(screened).isInstanceOf(WebhookEvent.Ignored.class);
    assertThat(((WebhookEvent.Ignored) screened).reason()).contains("set its config.registryHosts");
  }

  @Test
  @DisplayName("a public registry's fixed host wins over whatever its config says")
  void fixedHostsWin() {
    assertThat(RegistryHosts.of(IntegrationType.REGISTRY_QUAY,
        new JsonObject().put("registryHosts", new JsonArray().add("evil.example")))).containsExactly("quay.io");
    assertThat(RegistryHosts.covers(RegistryHosts.of(IntegrationType.REGISTRY_DOCKERHUB, new JsonObject()),
        "index.docker.io")).isTrue();
  }

  @Test
  @DisplayName("an event naming no host is about the integration's own registry: it passes and is looked up there only")
  void hostlessEventsStayHome() {
    ResolvedIntegration harbor = new ResolvedIntegration(UUID.randomUUID(), IntegrationType.REGISTRY_HARBOR, "h",
        new JsonObject().put("registryHosts", new JsonArray().add("harbor.example.com").add("10.0.0.7:443")),
        new JsonObject());
    WebhookEvent event = new WebhookEvent.ImagePushed("library/app", "v1", "sha256:" + "a".repeat(64), null);
    assertThat(RegistryScope.screen(event, RegistryScope.hosts(Optional.of(harbor)))).isSameAs(event);
    assertThat(EventApplier.candidates("library/app", Optional.of(harbor)))
        .containsExactly("harbor.example.com/library/app", "10.0.0.7:443/library/app");
  }
}
