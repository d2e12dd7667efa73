package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Named *ParserTest so the parser test selection runs it. */
class ParsersForTypeParserTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "registry.distribution, DistributionParser",
      "registry.dockerhub, DockerHubParser",
      "registry.harbor, HarborParser",
      "registry.ghcr, GhcrParser",
      "registry.quay, QuayParser",
      "registry.acr, AcrParser",
      "registry.gar, GarParser",
      "registry.ecr, EcrParser",
      "ci.gitlab, GitLabPipelineParser",
      "ci.github, GitHubWorkflowRunParser",
      "ci.jenkins, JenkinsParser"})
  @DisplayName("each integration type has its parser, the same instance every time")
  void known(String type, String parserClass) {
    PayloadParser parser = Parsers.forType(type);

    assertThat(parser.getClass().getSimpleName()).isEqualTo(parserClass);
    assertThat(Parsers.forType(type)).isSameAs(parser);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"scm.github", "registry.unknown", "REGISTRY.HARBOR", ""})
  @DisplayName("unknown integration types have no parser")
  void unknown(String type) {
    assertThat(Parsers.forType(type)).isNull();
  }

  @Test
  @DisplayName("the registry lists exactly the eleven parser types")
  void types() {
    assertThat(Parsers.types()).hasSize(11).allMatch(t -> t.startsWith("registry.") || t.startsWith("ci."));
  }
}
