package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pure decisions of {@link TextSafety}; the HTTP behaviour is in {@link HostileTextTest}. */
class TextSafetyTest {

  private static final List<String> ROUTES = List.of("/api/v1/components/:id",
      "/api/v1/components/:id/versions/:tag/history", "/api/v1/releases/by-name/*");

  @Test
  @DisplayName("the first NUL is named by its JSON path, a key's by the object holding it")
  void jsonPaths() {
    assertThat(TextSafety.firstNul(new JsonObject().put("name", "ok").put("components", new JsonArray()
        .add(new JsonObject().put("tag", "v1")).add(new JsonObject().put("tag", "v\u00002"))))).contains("components[1].tag");
    assertThat(TextSafety.firstNul(new JsonObject().put("config", new JsonObject().put("a\u0000b", 1))))
        .contains("config");
    assertThat(TextSafety.firstNul(new JsonObject().put("a\u0000", 1))).contains("$");
    assertThat(TextSafety.firstNul(new JsonObject().put("list", new JsonArray().add(new JsonArray().add("\u0000")))))
        .contains("list[0][0]");
    assertThat(TextSafety.firstNul(new JsonObject().put("text", "\\u0000 written out").put("n", 0))).isEmpty();
  }

  @Test
  @DisplayName("a NUL in the path is named after the parameter of the route the path fits")
  void pathParameters() {
    assertThat(TextSafety.pathParameter(ROUTES, "/api/v1/components/x%00")).isEqualTo("id");
    assertThat(TextSafety.pathParameter(ROUTES, "/api/v1/components/c1/versions/v1%00/history")).isEqualTo("tag");
    assertThat(TextSafety.pathParameter(ROUTES, "/api/v1/releases/by-name/team/app%00")).isEqualTo("name");
    assertThat(TextSafety.pathParameter(ROUTES, "/api/v1/compo%00nents/c1")).isEqualTo("path");
    assertThat(TextSafety.holdsNul("/api/v1/releases/by-name/50%2500")).isFalse();
  }

  @Test
  @DisplayName("a NUL in the query is named after its parameter, decoded")
  void queryParameters() {
    assertThat(TextSafety.queryParameter("limit=10&tag=v1%00")).isEqualTo("tag");
    assertThat(TextSafety.queryParameter("a%5Bb%5D=%00")).isEqualTo("a[b]");
    assertThat(TextSafety.queryParameter("st%00atus=x")).isEqualTo("query");
  }

  @Test
  @DisplayName("text made storable keeps everything but the NUL")
  void storable() {
    assertThat(TextSafety.storable("a\u0000b")).isEqualTo("a\uFFFDb");
    assertThat(TextSafety.storable("plain")).isEqualTo("plain");
    assertThat(TextSafety.storable(null)).isNull();
  }
}
