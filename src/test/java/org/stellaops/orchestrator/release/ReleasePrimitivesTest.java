package org.stellaops.orchestrator.release;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReleasePrimitivesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "nginx, docker.io/library/nginx",
      "library/nginx, docker.io/library/nginx",
      "docker.io/nginx, docker.io/library/nginx",
      "index.docker.io/library/nginx, docker.io/library/nginx",
      "registry-1.docker.io/myorg/app, docker.io/myorg/app",
      "myorg/app, docker.io/myorg/app",
      "Registry.Example.com/MyApp/API, registry.example.com/myapp/api",
      "https://registry.example.com/myapp/api/, registry.example.com/myapp/api",
      "localhost:5000/demo/app, localhost:5000/demo/app",
      "127.0.0.1:5000/demo/app, 127.0.0.1:5000/demo/app",
      "ghcr.io/org/repo/sub, ghcr.io/org/repo/sub"})
  @DisplayName("image repositories are normalised to one canonical form")
  void normalize(String raw, String canonical) {
    assertThat(ImageRepositories.normalize(raw)).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "registry.example.com/app:1.0", "app@sha256:abc", "UPPER CASE", "a//b", "registry.example.com/"})
  @DisplayName("references with tags, digests or bad characters are not repositories")
  void notRepositories(String raw) {
    assertThat(ImageRepositories.normalize(raw)).isNull();
  }

  @ParameterizedTest(name = "{1} under {0} pattern={2} -> semver={3} channel={4} prerelease={5}")
  @CsvSource(nullValues = "null", value = {
      "semver, v1.2.0, null, 1.2.0, stable, false",
      "semver, 1.2.0, null, 1.2.0, stable, false",
      "semver, v1.3.0-beta.1, null, 1.3.0-beta.1, beta, true",
      "semver, 2.0.0-rc1, null, 2.0.0-rc1, rc, true",
      "semver, 2.0.0-0.3.7, null, 2.0.0-0.3.7, prerelease, true",
      "semver, 1.2.0+build.5, null, 1.2.0+build.5, stable, false",
      "semver, latest, null, null, stable, false",
      "semver, 1.2, null, null, stable, false",
      "semver, api-1.4.2, ^api-(.*)$, 1.4.2, stable, false",
      "semver, web-1.4.2, ^api-(.*)$, null, stable, false",
      "date, 2026.01.09, null, null, stable, false"})
  @DisplayName("tags derive semver, channel and prerelease from the versioning strategy")
  void derive(String strategy, String tag, String pattern, String semver, String channel, boolean prerelease) {
    Versioning.Derived d = Versioning.derive(strategy, pattern, "stable", tag, null);
    assertThat(d.semver()).isEqualTo(semver);
    assertThat(d.channel()).isEqualTo(channel);
    assertThat(d.prerelease()).isEqualTo(prerelease);
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1.3.0-beta.1", "latest"})
  @DisplayName("an explicit channel always wins")
  void explicitChannel(String tag) {
    assertThat(Versioning.derive("semver", null, "stable", tag, "canary").channel()).isEqualTo("canary");
  }
}
