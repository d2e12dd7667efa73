package org.stellaops.orchestrator.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.StubResolver;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * The egress policy through the real gateway. {@code strict} runs with the default policy (no
 * allowedNetworks), {@code loopbackAllowed} with 127.0.0.0/8 allowed; both resolve outbound host
 * names through a {@link StubResolver}, so "a name that resolves to the metadata address" is
 * tested without DNS and without a packet ever leaving: the only server that receives anything
 * is a recording server on 127.0.0.1.
 */
class EgressTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String DIGEST = "sha256:" + "e".repeat(64);
  private static final StubResolver strictNames = new StubResolver()
      .map("metadata.test", "169.254.169.254")
      .map("ipv6-metadata.test", "fd00:ec2::254")
      .map("split.test", "10.0.0.7", "169.254.169.254")
      .map("ci-metadata.test", "169.254.169.254")
      .map("loop.test", "127.0.0.1")
      .map("idp.test", "169.254.169.254");
  private static final StubResolver loopbackNames = new StubResolver()
      .map("deploy.test", "127.0.0.1")
      .map("rebind.test", "127.0.0.1")
      .map("rebind.test", "169.254.169.254");
  private static RecordingServer target;
  private static TestGateway strict;
  private static TestGateway loopbackAllowed;

  @BeforeAll
  static void start() {
    target = new RecordingServer(r -> new RecordingServer.Answer(200, "{\"ok\":true}"));
    AppConfig strictConfig = TestGateway.baseConfig().withEgress(new AppConfig.Egress(List.of()))
        .withAdminToken(ADMIN);
    String strictDb = TestDatabases.freshDatabase();
    strict = TestGateway.start(strictConfig.withDbUrl(strictDb), strictDb, strictNames);
    String allowedDb = TestDatabases.freshDatabase();
    loopbackAllowed = TestGateway.start(TestGateway.baseConfig().withEgress(new AppConfig.Egress(
        List.of(Cidr.parse("127.0.0.0/8")))).withAdminToken(ADMIN).withDbUrl(allowedDb), allowedDb, loopbackNames);
  }

  @AfterAll
  static void stop() {
    strict.close();
    loopbackAllowed.close();
    target.close();
  }

  private static Resp integration(TestGateway gw, String type, String name, JsonObject config) {
    return gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", type).put("name", name)
        .put("config", config).put("credentials", new JsonObject().put("token", "secret-token")));
  }

  private static Resp environment(TestGateway gw, String name, JsonArray workflow) {
    return gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name).put("workflow", workflow));
  }

  private static JsonObject step(String id, String type, String url) {
    return new JsonObject().put("id", id).put("type", type).put("config", new JsonObject().put("url", url));
  }

  private static List<String> fields(Resp r) {
    return r.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field")).toList();
  }

  /** Promotes a fresh release into a fresh environment with {@code workflow}; returns the finished promotion. */
  private static JsonObject promoteThrough(TestGateway gw, String name, JsonArray workflow, String endStatus) {
    Resp env = environment(gw, name, workflow);
    assertThat(env.status()).as(env.body()).isEqualTo(201);
    String component = gw.createComponent(name + "-app", "registry.example.com/egress/" + name).getString("id");
    String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name + "-1.0")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component).put("digest", DIGEST))))
        .data().getString("id");
    Resp promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env.data().getString("id")));
    assertThat(promotion.status()).as(promotion.body()).isEqualTo(201);
    String id = promotion.data().getString("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> endStatus.equals(
        gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  private static int targetPort() {
    return Integer.parseInt(target.url().substring(target.url().lastIndexOf(':') + 1));
  }

  @Test
  @DisplayName("saving a URL whose host is a loopback, metadata, unspecified or multicast literal is a 400 naming the field")
  void literalAddressesAreRefusedWhenSaved() {
    Resp endpoint = integration(strict, "ci.gitlab", "loop", new JsonObject().put("endpoint", "http://127.0.0.1:8080"));
    assertThat(endpoint.status()).isEqualTo(400);
    assertThat(fields(endpoint)).containsExactly("config.endpoint");
    assertThat(endpoint.error().getJsonArray("validationErrors").getJsonObject(0).getString("code"))
        .isEqualTo("EGRESS_DENIED");

    Resp registry = integration(strict, "registry.dockerhub", "meta", new JsonObject()
        .put("registryUrl", "http://169.254.169.254/latest"));
    assertThat(fields(registry)).containsExactly("config.registryUrl");
    Resp api = integration(strict, "scm.github", "aws6", new JsonObject().put("apiUrl", "https://[fd00:ec2::254]/"));
    assertThat(fields(api)).containsExactly("config.apiUrl");
    Resp web = integration(strict, "scm.gitlab", "zero", new JsonObject().put("webUrl", "http://0.0.0.0:80"));
    assertThat(fields(web)).containsExactly("config.webUrl");

    Resp workflow = environment(strict, "literal-steps", new JsonArray()
        .add(step("deploy", "deploy", "http://224.0.0.1/deploy"))
        .add(step("probe", "http", "http://169.254.169.254/latest/meta-data/")));
    assertThat(workflow.status()).isEqualTo(400);
    assertThat(fields(workflow)).containsExactly("workflow[0].config.url", "workflow[1].config.url");

    Resp subscription = strict.post("/api/v1/event-subscriptions", ADMIN, new JsonObject()
        .put("url", "http://[::1]:9000/events").put("events", new JsonArray().add("release.created"))
        .put("secret", "0123456789abcdef0123"));
    assertThat(subscription.status()).isEqualTo(400);
    assertThat(fields(subscription)).containsExactly("url");

    String saved = integration(strict, "ci.gitlab", "private-gitlab",
        new JsonObject().put("endpoint", "http://10.20.30.40:8080")).data().getString("id");
    Resp patched = strict.patch("/api/v1/integrations/" + saved, ADMIN, new JsonObject()
        .put("config", new JsonObject().put("endpoint", "http://169.254.169.254"))
        .put("credentials", new JsonObject().put("token", "another-token")));
    assertThat(patched.status()).isEqualTo(400);
    assertThat(fields(patched)).containsExactly("config.endpoint");
  }

  @Test
  @DisplayName("with allowedNetworks 127.0.0.0/8 the same loopback URLs save, and the metadata address still does not")
  void allowedNetworksExemptLoopback() {
    assertThat(integration(loopbackAllowed, "ci.gitlab", "loop", new JsonObject()
        .put("endpoint", "http://127.0.0.1:8080")).status()).isEqualTo(201);
    assertThat(environment(loopbackAllowed, "loop-steps", new JsonArray()
        .add(step("deploy", "deploy", "http://127.0.0.1:9/deploy"))).status()).isEqualTo(201);
    assertThat(loopbackAllowed.post("/api/v1/event-subscriptions", ADMIN, new JsonObject()
        .put("url", "http://127.0.0.1:9000/events").put("events", new JsonArray().add("release.created"))
        .put("secret", "0123456789abcdef0123")).status()).isEqualTo(201);
    Resp metadata = integration(loopbackAllowed, "ci.gitlab", "meta", new JsonObject()
        .put("endpoint", "http://169.254.169.254"));
    assertThat(fields(metadata)).containsExactly("config.endpoint");
  }

  @Test
  @DisplayName("a deploy or http step to a name resolving to a metadata address fails EGRESS_DENIED and nothing is sent")
  void namesResolvingToDeniedAddressesFailTheStep() {
    JsonObject deploy = promoteThrough(strict, "to-metadata", new JsonArray()
        .add(step("deploy", "deploy", "http://metadata.test/latest/meta-data/iam")), "failed");
    JsonObject deployStep = deploy.getJsonArray("steps").getJsonObject(0);
    assertThat(deployStep.getString("error")).contains("EGRESS_DENIED").contains("169.254.169.254");
    assertThat(deployStep.getJsonObject("details").getString("code")).isEqualTo("EGRESS_DENIED");

    JsonObject probe = promoteThrough(strict, "to-metadata-v6", new JsonArray()
        .add(step("probe", "http", "http://ipv6-metadata.test/latest")), "failed");
    JsonObject probeStep = probe.getJsonArray("steps").getJsonObject(0);
    assertThat(probeStep.getString("error")).contains("EGRESS_DENIED").contains("fd00:ec2:0:0:0:0:0:254");
    assertThat(probeStep.getJsonObject("details").getString("code")).isEqualTo("EGRESS_DENIED");

    // A name with one allowed and one denied address is refused as a whole.
    JsonObject split = promoteThrough(strict, "to-split", new JsonArray()
        .add(step("probe", "http", "http://split.test/")), "failed");
    assertThat(split.getJsonArray("steps").getJsonObject(0).getJsonObject("details").getString("code"))
        .isEqualTo("EGRESS_DENIED");

    assertThat(strictNames.lookups("metadata.test")).isEqualTo(1);
    assertThat(strictNames.lookups("ipv6-metadata.test")).isEqualTo(1);
  }

  @Test
  @DisplayName("a denied resolved address is never connected to: a name resolving to loopback does not reach the server there")
  void deniedAddressesAreNeverConnected() {
    int sent = target.requests().size();
    JsonObject deploy = promoteThrough(strict, "to-loopback", new JsonArray()
        .add(step("deploy", "deploy", "http://loop.test:" + targetPort() + "/deploy")), "failed");
    JsonObject step = deploy.getJsonArray("steps").getJsonObject(0);
    assertThat(step.getString("error")).contains("EGRESS_DENIED").contains("loopback");
    assertThat(strictNames.lookups("loop.test")).isEqualTo(1);
    assertThat(target.requests()).hasSize(sent);
  }

  @Test
  @DisplayName("CI calls to a name resolving to a metadata address answer 422 EGRESS_DENIED: integration test and trigger")
  void ciCallsAreDenied() {
    String ci = integration(strict, "ci.gitlab", "gitlab-metadata", new JsonObject()
        .put("endpoint", "http://ci-metadata.test:8080")).data().getString("id");

    Resp test = strict.post("/api/v1/integrations/" + ci + "/test", ADMIN, "");
    assertThat(test.status()).as(test.body()).isEqualTo(422);
    assertThat(test.error().getString("code")).isEqualTo("EGRESS_DENIED");

    Resp trigger = strict.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", ci)
        .put("pipelineId", "grp/app").put("ref", "main").put("waitForCompletion", false));
    assertThat(trigger.status()).as(trigger.body()).isEqualTo(422);
    assertThat(trigger.error().getString("code")).isEqualTo("EGRESS_DENIED");
    assertThat(strictNames.lookups("ci-metadata.test")).isEqualTo(2);
  }

  @Test
  @DisplayName("the request connects to the very address that was checked: a name only the gateway's resolver knows is reached")
  void requestsArePinnedToTheCheckedAddress() {
    int port = targetPort();
    int sent = target.requests().size();
    JsonObject done = promoteThrough(loopbackAllowed, "pinned", new JsonArray()
        .add(step("deploy", "deploy", "http://deploy.test:" + port + "/deploy")), "deployed");
    assertThat(done.getString("status")).isEqualTo("deployed");
    assertThat(target.requests()).hasSize(sent + 1);
    RecordingServer.Request request = target.requests().get(sent);
    assertThat(request.path()).isEqualTo("/deploy");
    assertThat(request.headers().getString("host")).isEqualTo("deploy.test:" + port);

  }

  @Test
  @DisplayName("a name that rebinds to the metadata address after its first answer is denied on the next request, never connected")
  void rebindingIsCheckedOnEveryRequest() {
    int port = targetPort();
    int sent = target.requests().size();
    JsonObject promotion = promoteThrough(loopbackAllowed, "rebind", new JsonArray()
        .add(step("first", "http", "http://rebind.test:" + port + "/first"))
        .add(step("second", "http", "http://rebind.test:" + port + "/second")), "failed");
    JsonArray steps = promotion.getJsonArray("steps");
    assertThat(steps.getJsonObject(0).getString("status")).isEqualTo("succeeded");
    assertThat(steps.getJsonObject(1).getJsonObject("details").getString("code")).isEqualTo("EGRESS_DENIED");
    assertThat(target.requests().subList(sent, target.requests().size()))
        .extracting(RecordingServer.Request::path).containsExactly("/first");
    // One lookup per request, and each request used the answer of its own lookup.
    assertThat(loopbackNames.lookups("rebind.test")).isEqualTo(2);
  }

  @Test
  @DisplayName("a JWKS URL whose host resolves to a metadata address stops start-up with EGRESS_DENIED, nothing fetched")
  void jwksIsDenied() {
    String db = TestDatabases.freshDatabase();
    AppConfig config = TestGateway.baseConfig().withEgress(new AppConfig.Egress(List.of())).withAdminToken(ADMIN)
        .withDbUrl(db).withJwt(new AppConfig.Jwt(Optional.of("https://idp.example.com"), Optional.empty(),
            Optional.of("http://idp.test/realms/stella/protocol/openid-connect/certs"), Optional.empty(), "RS256",
            "roles", "sub", 600));
    assertThatThrownBy(() -> TestGateway.start(config, db, strictNames))
        .hasRootCauseInstanceOf(EgressDeniedException.class)
        .rootCause().hasMessageContaining("EGRESS_DENIED").hasMessageContaining("idp.test");
    assertThat(strictNames.lookups("idp.test")).isEqualTo(1);
  }

  @Test
  @DisplayName("an unknown name fails the step as unreachable, not as denied")
  void unknownNames() {
    JsonObject promotion = promoteThrough(strict, "unknown-name", new JsonArray()
        .add(step("probe", "http", "http://nowhere.test/")), "failed");
    JsonObject probe = promotion.getJsonArray("steps").getJsonObject(0);
    assertThat(probe.getString("error")).doesNotContain("EGRESS_DENIED");
    assertThat(Optional.ofNullable(probe.getJsonObject("details"))).isEmpty();
  }
}
