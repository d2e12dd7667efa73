package org.stellaops.orchestrator.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** Components and their version maps through the real API. */
class ComponentAndVersionMapTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String D1 = "sha256:" + "1".repeat(64);
  private static final String D2 = "sha256:" + "2".repeat(64);
  private static final String D3 = "sha256:" + "3".repeat(64);
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  private static List<String> fields(Resp r) {
    return r.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field")).toList();
  }

  @Test
  @DisplayName("a component is created with domain defaults and its image repository in canonical form")
  void createWithDefaults() {
    Resp r = gw.post("/api/v1/components", ADMIN, new JsonObject()
        .put("name", "nginx-edge").put("displayName", "Edge proxy").put("imageRepository", "nginx")
        .put("metadata", new JsonObject().put("team", "platform")));
    assertThat(r.status()).isEqualTo(201);
    JsonObject c = r.data();
    assertThat(c.getString("imageRepository")).isEqualTo("docker.io/library/nginx");
    assertThat(c.getJsonObject("versioningStrategy").getString("type")).isEqualTo("semver");
    assertThat(c.getString("defaultChannel")).isEqualTo("stable");
    assertThat(c.getJsonObject("autoRelease").getBoolean("enabled")).isFalse();
    assertThat(c.getJsonObject("metadata").getString("team")).isEqualTo("platform");

    Resp same = gw.post("/api/v1/components", ADMIN, new JsonObject()
        .put("name", "nginx-other").put("imageRepository", "index.docker.io/library/nginx"));
    assertThat(same.status()).isEqualTo(409);
    assertThat(same.error().getString("message")).contains("imageRepository");
  }

  @Test
  @DisplayName("an invalid component lists every bad field")
  void invalidComponent() {
    Resp r = gw.post("/api/v1/components", ADMIN, new JsonObject()
        .put("name", "Bad Name").put("imageRepository", "registry.example.com/app:1.0")
        .put("versioningStrategy", new JsonObject().put("type", "calver").put("tagPattern", "("))
        .put("registryIntegrationId", "nope")
        .put("autoRelease", new JsonObject().put("enabled", true).put("nameTemplate", "{component}-{build}")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r)).containsExactlyInAnyOrder("name", "versioningStrategy.type", "registryIntegrationId");
    // Rules the description cannot state (an image reference without a tag, a compilable
    // pattern, known placeholders) are checked once it is met.
    Resp rules = gw.post("/api/v1/components", ADMIN, new JsonObject()
        .put("name", "bad-rules").put("imageRepository", "registry.example.com/app:1.0")
        .put("versioningStrategy", new JsonObject().put("type", "semver").put("tagPattern", "("))
        .put("autoRelease", new JsonObject().put("enabled", true).put("nameTemplate", "{component}-{build}")));
    assertThat(rules.status()).isEqualTo(400);
    assertThat(fields(rules)).containsExactlyInAnyOrder("imageRepository", "versioningStrategy.tagPattern",
        "autoRelease.nameTemplate");
  }

  @Test
  @DisplayName("PATCH changes only the fields sent, null clears optional ones, required ones cannot be cleared")
  void patch() {
    String id = gw.createComponent("patchable", "registry.example.com/patch/me").getString("id");
    Resp r = gw.patch("/api/v1/components/" + id, ADMIN, new JsonObject().put("displayName", "Patched")
        .put("autoRelease", new JsonObject().put("enabled", true).put("tagPattern", "^v\\d+\\.\\d+\\.\\d+$")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.data().getString("displayName")).isEqualTo("Patched");
    assertThat(r.data().getString("imageRepository")).isEqualTo("registry.example.com/patch/me");
    assertThat(r.data().getJsonObject("autoRelease").getString("nameTemplate")).isEqualTo("{component}-{tag}");

    Resp cleared = gw.patch("/api/v1/components/" + id, ADMIN, new JsonObject().putNull("displayName"));
    assertThat(cleared.data().getString("displayName")).isNull();
    assertThat(cleared.data().getJsonObject("autoRelease").getBoolean("enabled")).isTrue();

    Resp bad = gw.patch("/api/v1/components/" + id, ADMIN, new JsonObject().putNull("imageRepository"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(fields(bad)).contains("imageRepository");
    assertThat(gw.patch("/api/v1/components/00000000-0000-0000-0000-000000000000", ADMIN, "{}").status()).isEqualTo(404);
  }

  @Test
  @DisplayName("a component can be deleted until a release references it, then DELETE is a 409")
  void deleteRules() {
    String free = gw.createComponent("deletable", "registry.example.com/del/free").getString("id");
    assertThat(gw.delete("/api/v1/components/" + free, ADMIN).status()).isEqualTo(204);
    assertThat(gw.get("/api/v1/components/" + free, ADMIN).status()).isEqualTo(404);

    String pinned = gw.createComponent("pinned", "registry.example.com/del/pinned").getString("id");
    Resp release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "pinned-r1")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", pinned).put("digest", D1))));
    assertThat(release.status()).isEqualTo(201);
    Resp r = gw.delete("/api/v1/components/" + pinned, ADMIN);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error().getString("code")).isEqualTo("CONFLICT");
    assertThat(gw.get("/api/v1/components/" + pinned, ADMIN).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("component listing pages with a cursor without repeating or skipping")
  void pagination() {
    for (int i = 0; i < 5; i++) {
      gw.createComponent("paged-" + i, "registry.example.com/paged/c" + i);
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      Resp page = gw.get("/api/v1/components?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), ADMIN);
      assertThat(page.status()).isEqualTo(200);
      page.json().getJsonArray("data").forEach(c -> assertThat(seen.add(((JsonObject) c).getString("id"))).isTrue());
      cursor = page.json().getJsonObject("meta").getJsonObject("pagination").getString("nextCursor");
      pages++;
    } while (cursor != null);
    int total = gw.get("/api/v1/components?limit=200", ADMIN).json().getJsonArray("data").size();
    assertThat(seen).hasSize(total);
    assertThat(pages).isEqualTo((total + 1) / 2);
    assertThat(gw.get("/api/v1/components?limit=0", ADMIN).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("a manual version entry derives semver, prerelease and channel; repeating it changes nothing")
  void manualEntries() {
    String id = gw.createComponent("versioned", "registry.example.com/versioned/app").getString("id");
    Resp stable = gw.post("/api/v1/components/" + id + "/versions", ADMIN,
        new JsonObject().put("tag", "v1.2.0").put("digest", D1));
    assertThat(stable.status()).isEqualTo(201);
    assertThat(stable.data().getString("semver")).isEqualTo("1.2.0");
    assertThat(stable.data().getString("channel")).isEqualTo("stable");
    assertThat(stable.data().getBoolean("prerelease")).isFalse();
    assertThat(stable.data().getString("source")).isEqualTo("manual");

    Resp beta = gw.post("/api/v1/components/" + id + "/versions", ADMIN,
        new JsonObject().put("tag", "v1.3.0-beta.1").put("digest", D2));
    assertThat(beta.data().getString("channel")).isEqualTo("beta");
    assertThat(beta.data().getBoolean("prerelease")).isTrue();

    Resp again = gw.post("/api/v1/components/" + id + "/versions", ADMIN,
        new JsonObject().put("tag", "v1.2.0").put("digest", D1));
    assertThat(again.status()).isEqualTo(200);

    Resp list = gw.get("/api/v1/components/" + id + "/versions", ADMIN);
    assertThat(list.json().getJsonArray("data").stream().map(e -> ((JsonObject) e).getString("tag")).toList())
        .containsExactly("v1.3.0-beta.1", "v1.2.0");
    Resp betas = gw.get("/api/v1/components/" + id + "/versions?channel=beta", ADMIN);
    assertThat(betas.json().getJsonArray("data")).hasSize(1);
    Resp byTag = gw.get("/api/v1/components/" + id + "/versions?tag=v1.2.0", ADMIN);
    assertThat(byTag.json().getJsonArray("data").getJsonObject(0).getString("digest")).isEqualTo(D1);
  }

  @Test
  @DisplayName("a moved tag points at its new digest and keeps the history of every move")
  void movedTagKeepsHistory() {
    String id = gw.createComponent("mover", "registry.example.com/mover/app").getString("id");
    String path = "/api/v1/components/" + id + "/versions";
    gw.post(path, ADMIN, new JsonObject().put("tag", "latest").put("digest", D1));
    gw.post(path, ADMIN, new JsonObject().put("tag", "latest").put("digest", D2));
    Resp moved = gw.post(path, ADMIN, new JsonObject().put("tag", "latest").put("digest", D3));
    assertThat(moved.status()).isEqualTo(201);

    Resp current = gw.get(path + "?tag=latest", ADMIN);
    assertThat(current.json().getJsonArray("data")).hasSize(1);
    assertThat(current.json().getJsonArray("data").getJsonObject(0).getString("digest")).isEqualTo(D3);

    Resp history = gw.get(path + "/latest/history", ADMIN);
    assertThat(history.status()).isEqualTo(200);
    JsonArray moves = history.json().getJsonArray("data");
    assertThat(moves.stream().map(m -> ((JsonObject) m).getString("digest")).toList()).containsExactly(D3, D2, D1);
    assertThat(moves.getJsonObject(0).getString("previousDigest")).isEqualTo(D2);
    assertThat(moves.getJsonObject(2).getString("previousDigest")).isNull();
    assertThat(moves.getJsonObject(0).getString("recordedBy")).isEqualTo("admin:admin");
    assertThat(gw.get(path + "/never/history", ADMIN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("an invalid version entry lists its bad fields; an unknown component is 404")
  void invalidVersionEntry() {
    String id = gw.createComponent("strict", "registry.example.com/strict/app").getString("id");
    Resp r = gw.post("/api/v1/components/" + id + "/versions", ADMIN,
        new JsonObject().put("tag", "bad tag").put("digest", "sha256:ABC"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r)).containsExactlyInAnyOrder("tag", "digest");
    assertThat(gw.post("/api/v1/components/00000000-0000-0000-0000-000000000000/versions", ADMIN,
        new JsonObject().put("tag", "v1").put("digest", D1)).status()).isEqualTo(404);
  }
}
