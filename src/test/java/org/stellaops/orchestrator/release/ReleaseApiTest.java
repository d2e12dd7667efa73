package org.stellaops.orchestrator.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** Every error path of release creation, tag resolution, idempotency and reading releases. */
class ReleaseApiTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String D1 = "sha256:" + "a".repeat(64);
  private static final String D2 = "sha256:" + "b".repeat(64);
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String api;
  private static String worker;

  @BeforeAll
  static void start() {
    api = gw.createComponent("api", "registry.example.com/shop/api").getString("id");
    worker = gw.createComponent("worker", "registry.example.com/shop/worker").getString("id");
  }

  private static JsonObject release(String name, JsonObject... components) {
    return new JsonObject().put("name", name).put("components", new JsonArray(List.of((Object[]) components)));
  }

  private static JsonObject byDigest(String componentId, String digest) {
    return new JsonObject().put("componentId", componentId).put("digest", digest);
  }

  private static JsonObject byTag(String componentId, String tag) {
    return new JsonObject().put("componentId", componentId).put("tag", tag);
  }

  private static List<String> fields(Resp r) {
    return r.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field")).toList();
  }

  @Test
  @DisplayName("malformed JSON is a 400 MALFORMED_JSON in the envelope")
  void malformedJson() {
    Resp r = gw.post("/api/v1/releases", ADMIN, "{\"name\": \"x\", ");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getBoolean("success")).isFalse();
    assertThat(r.error().getString("code")).isEqualTo("MALFORMED_JSON");
    assertThat(gw.post("/api/v1/releases", ADMIN, "[1,2]").error().getString("code")).isEqualTo("MALFORMED_JSON");
  }

  @Test
  @DisplayName("a body that is not JSON by content type is a 415")
  void wrongContentType() {
    Resp r = gw.send(gw.request("/api/v1/releases", ADMIN).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("name=x")).build());
    assertThat(r.status()).isEqualTo(415);
    assertThat(r.error().getString("code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  @DisplayName("a body over the configured limit is a 413 in the envelope")
  void bodyTooLarge() {
    String huge = "{\"name\":\"" + "x".repeat(1_100_000) + "\"}";
    Resp r = gw.post("/api/v1/releases", ADMIN, huge);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.error().getString("code")).isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  @DisplayName("every invalid field is listed in validationErrors")
  void everyInvalidFieldIsListed() {
    Resp r = gw.post("/api/v1/releases", ADMIN, new JsonObject()
        .put("components", new JsonArray()
            .add(new JsonObject().put("componentId", api).put("digest", "sha256:abc"))
            .add(new JsonObject().put("componentId", worker))
            .add(new JsonObject().put("componentId", api).put("tag", "v1"))
            .add("not-an-object"))
        .put("sourceRef", new JsonObject().put("type", "svn").put("commit", "xyz"))
        .put("metadata", "nope"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getString("code")).isEqualTo("VALIDATION_FAILED");
    assertThat(fields(r)).containsExactlyInAnyOrder(
        "name", "components[0].digest", "components[1].digest", "components[1].tag", "components[3]",
        "sourceRef.type", "sourceRef.repository", "sourceRef.commit", "metadata");
    // Rules the description cannot state (a tag the component has) are checked once it is met.
    Resp unknownTag = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "tagged")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", api).put("tag", "v1"))));
    assertThat(unknownTag.status()).as(unknownTag.body()).isEqualTo(422);
    assertThat(gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "empty")
        .put("components", new JsonArray())).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("an unknown component is a 422 naming it")
  void unknownComponent() {
    Resp r = gw.post("/api/v1/releases", ADMIN, release("ghost-1",
        byDigest("3f1d1c6e-0000-4000-8000-000000000000", D1), byDigest(api, D1)));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.error().getString("code")).isEqualTo("UNKNOWN_COMPONENT");
    assertThat(r.error().getString("message")).contains("3f1d1c6e-0000-4000-8000-000000000000");
    assertThat(fields(r)).containsExactly("components[0].componentId");
  }

  @Test
  @DisplayName("an unknown tag is a 422 naming it; nothing is created")
  void unknownTag() {
    Resp r = gw.post("/api/v1/releases", ADMIN, release("ghost-tag", byTag(api, "v9.9.9")));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.error().getString("code")).isEqualTo("UNKNOWN_TAG");
    assertThat(r.error().getString("message")).contains("v9.9.9");
    assertThat(gw.get("/api/v1/releases/by-name/ghost-tag", ADMIN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("a tag resolves to its current digest at creation, and the release keeps it after the tag moves")
  void tagResolutionPicksCurrentDigest() {
    String versions = "/api/v1/components/" + worker + "/versions";
    gw.post(versions, ADMIN, new JsonObject().put("tag", "v3.0.0").put("digest", D1));
    Resp first = gw.post("/api/v1/releases", ADMIN, release("worker-v3-a", byTag(worker, "v3.0.0")));
    assertThat(first.status()).isEqualTo(201);
    JsonObject pinned = first.data().getJsonArray("components").getJsonObject(0);
    assertThat(pinned.getString("digest")).isEqualTo(D1);
    assertThat(pinned.getString("tag")).isEqualTo("v3.0.0");
    assertThat(pinned.getString("semver")).isEqualTo("3.0.0");

    gw.post(versions, ADMIN, new JsonObject().put("tag", "v3.0.0").put("digest", D2));
    Resp second = gw.post("/api/v1/releases", ADMIN, release("worker-v3-b", byTag(worker, "v3.0.0")));
    assertThat(second.data().getJsonArray("components").getJsonObject(0).getString("digest")).isEqualTo(D2);

    Resp firstAgain = gw.get("/api/v1/releases/" + first.data().getString("id"), ADMIN);
    assertThat(firstAgain.data().getJsonArray("components").getJsonObject(0).getString("digest")).isEqualTo(D1);

    Resp mismatch = gw.post("/api/v1/releases", ADMIN, release("worker-v3-c",
        new JsonObject().put("componentId", worker).put("tag", "v3.0.0").put("digest", D1)));
    assertThat(mismatch.status()).isEqualTo(422);
    assertThat(mismatch.error().getString("code")).isEqualTo("TAG_DIGEST_MISMATCH");
  }

  @Test
  @DisplayName("a duplicate release name is a 409")
  void duplicateName() {
    assertThat(gw.post("/api/v1/releases", ADMIN, release("dup-name", byDigest(api, D1))).status()).isEqualTo(201);
    Resp again = gw.post("/api/v1/releases", ADMIN, release("dup-name", byDigest(api, D2)));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error().getString("message")).contains("dup-name");
  }

  @Test
  @DisplayName("a retry with the same Idempotency-Key and body returns the first answer; another body is a 422")
  void idempotencyKey() {
    String body = release("idem-1", byDigest(api, D1)).encode();
    HttpRequest first = gw.request("/api/v1/releases", ADMIN).header("Content-Type", "application/json")
        .header("Idempotency-Key", "build-4711").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    Resp r1 = gw.send(first);
    Resp r2 = gw.send(first);
    assertThat(r1.status()).isEqualTo(201);
    assertThat(r2.status()).isEqualTo(201);
    assertThat(r2.data().getString("id")).isEqualTo(r1.data().getString("id"));
    assertThat(r2.header("Idempotent-Replayed")).isEqualTo("true");

    Resp other = gw.send(gw.request("/api/v1/releases", ADMIN).header("Content-Type", "application/json")
        .header("Idempotency-Key", "build-4711")
        .POST(HttpRequest.BodyPublishers.ofString(release("idem-2", byDigest(api, D1)).encode())).build());
    assertThat(other.status()).isEqualTo(422);
    assertThat(other.error().getString("code")).isEqualTo("IDEMPOTENCY_KEY_REUSED");

    Resp list = gw.get("/api/v1/releases?name=idem-1", ADMIN);
    assertThat(list.json().getJsonArray("data")).hasSize(1);
  }

  @Test
  @DisplayName("releases list newest first with cursor pagination and componentId, name, createdAfter filters")
  void listAndFilters() {
    Instant before = Instant.now().minusSeconds(1);
    gw.post("/api/v1/releases", ADMIN, release("filter-a", byDigest(api, D1)));
    gw.post("/api/v1/releases", ADMIN, release("filter-b", byDigest(worker, D1)));
    gw.post("/api/v1/releases", ADMIN, release("filter-c", byDigest(api, D2), byDigest(worker, D2)));

    Resp workers = gw.get("/api/v1/releases?limit=200&componentId=" + worker + "&createdAfter=" + before, ADMIN);
    assertThat(workers.json().getJsonArray("data").stream().map(r -> ((JsonObject) r).getString("name")).toList())
        .containsExactly("filter-c", "filter-b");

    Resp page1 = gw.get("/api/v1/releases?limit=2&createdAfter=" + before, ADMIN);
    String cursor = page1.json().getJsonObject("meta").getJsonObject("pagination").getString("nextCursor");
    Resp page2 = gw.get("/api/v1/releases?limit=2&createdAfter=" + before + "&cursor=" + cursor, ADMIN);
    assertThat(page1.json().getJsonArray("data").stream().map(r -> ((JsonObject) r).getString("name")).toList())
        .containsExactly("filter-c", "filter-b");
    assertThat(page2.json().getJsonArray("data").stream().map(r -> ((JsonObject) r).getString("name")).toList())
        .containsExactly("filter-a");
    assertThat(page2.json().getJsonObject("meta").getJsonObject("pagination").getString("nextCursor")).isNull();

    assertThat(gw.get("/api/v1/releases?name=filter-b", ADMIN).json().getJsonArray("data")).hasSize(1);
    Resp bad = gw.get("/api/v1/releases?createdAfter=yesterday&componentId=abc", ADMIN);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(fields(bad)).containsExactlyInAnyOrder("createdAfter", "componentId");
  }

  @Test
  @DisplayName("a component may be named instead of given by id")
  void componentByName() {
    Resp r = gw.post("/api/v1/releases", ADMIN, release("by-component-name", byDigest("api", D2)));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.data().getJsonArray("components").getJsonObject(0).getString("componentId")).isEqualTo(api);
  }

  @Test
  @DisplayName("no endpoint changes a release, and the database refuses to change pinned components")
  void releasesAreImmutable() {
    Resp created = gw.post("/api/v1/releases", ADMIN, release("immutable-1", byDigest(api, D1)));
    String id = created.data().getString("id");
    for (String method : List.of("PUT", "PATCH", "DELETE")) {
      Resp r = gw.send(gw.request("/api/v1/releases/" + id, ADMIN).header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString("{\"components\":[]}")).build());
      assertThat(r.status()).as(method).isEqualTo(405);
      assertThat(r.error().getString("code")).isEqualTo("METHOD_NOT_ALLOWED");
    }
    assertThatThrownBy(() -> TestDatabases.execute(gw.dbUrl(),
        "UPDATE release_component SET digest = '" + D2 + "' WHERE release_id = '" + id + "'"))
        .isInstanceOf(SQLException.class).hasMessageContaining("immutable");
    Resp read = gw.get("/api/v1/releases/" + id, ADMIN);
    assertThat(read.data().getJsonArray("components").getJsonObject(0).getString("digest")).isEqualTo(D1);
  }

  @Test
  @DisplayName("unknown release ids and names are 404")
  void notFound() {
    assertThat(gw.get("/api/v1/releases/8d9b0c52-8ad2-4b52-9b7f-2f1c3e1d0a77", ADMIN).status()).isEqualTo(404);
    assertThat(gw.get("/api/v1/releases/not-a-uuid", ADMIN).status()).isEqualTo(404);
    assertThat(gw.get("/api/v1/releases/by-name/nothing-here", ADMIN).error().getString("code")).isEqualTo("NOT_FOUND");
  }
}
