package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stellaops.orchestrator.platform.ConfigLoader;
import org.stellaops.orchestrator.support.TestGateway;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests under k8s/ against the gateway they deploy. {@code kubectl kustomize}
 * renders the base, every overlay and the monitoring, as {@code kubectl apply -k} would apply them.
 * Each rendering is then checked against conf/application.yaml, ConfigLoader's environment
 * names, the running gateway's route table and Main's shutdown: the things a typo in YAML would
 * silently break.
 */
@DisplayName("Kubernetes manifests (k8s/)")
class K8sManifestsTest {

  private static final String BASE = "k8s/base";
  private static final Path OVERLAYS = Path.of("k8s/overlays");
  private static final String OVERLAY = "k8s/overlays/example";
  private static final String MONITORING = "k8s/monitoring";
  /** Documents the Secret the Deployment reads; deliberately not part of any kustomization. */
  private static final Path SECRET_TEMPLATE = Path.of("k8s/secret.template.yaml");
  private static final Path CONF = Path.of("conf/application.yaml");
  private static final Path OPENAPI = Path.of("src/main/resources/openapi.yaml");

  /** The one STELLA_ variable that is not a config key: ConfigLoader.fromProcess reads it as the file's path. */
  private static final Set<String> NON_KEY_STELLA_VARIABLES = Set.of("STELLA_CONFIG");
  /** A placeholder, never a value: REPLACE_ME, optionally with an upper-case hint (REPLACE_ME_DB_URL). */
  private static final Pattern PLACEHOLDER = Pattern.compile("REPLACE_ME(_[A-Z0-9_]+)?");

  /** Runs a test once on the base and once on each overlay. */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  @interface ForEachKustomization {}

  /** The gateway whose route table the probes and the scrape must hit. */
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

  static List<String> kustomizations() throws IOException {
    List<String> dirs = new ArrayList<>(List.of(BASE));
    try (Stream<Path> overlays = Files.list(OVERLAYS)) {
      overlays.filter(Files::isDirectory).map(Path::toString).sorted().forEach(dirs::add);
    }
    assertThat(dirs).as("kustomizations").contains(OVERLAY);
    return dirs;
  }

  private static Rendered rendered(String dir) {
    return RENDERED.computeIfAbsent(dir, d -> Kustomize.render(Path.of(d)));
  }

  // ---------------------------------------------------------------------------------------------
  // Structure
  // ---------------------------------------------------------------------------------------------

  @ForEachKustomization
  @DisplayName("every rendered document is a named Kubernetes object, none twice")
  void everyDocumentIsAKubernetesObject(String dir) {
    Rendered r = rendered(dir);
    assertThat(r.docs()).as("rendered documents").isNotEmpty();
    Set<String> seen = new HashSet<>();
    for (Map<String, Object> doc : r.docs()) {
      assertThat(text(doc, "apiVersion")).as("apiVersion of %s", doc).isNotBlank();
      assertThat(text(doc, "kind")).as("kind of %s", doc).isNotBlank();
      assertThat(text(doc, "metadata.name")).as("metadata.name of %s", doc).isNotBlank();
      assertThat(seen.add(id(doc))).as("%s is defined twice", id(doc)).isTrue();
    }
    assertThat(r.kinds()).as("kinds in %s", dir).contains("ServiceAccount", "Deployment", "Service",
        "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceMonitor", "NetworkPolicy");
  }

  @ForEachKustomization
  @DisplayName("the kustomization lists every YAML file of its directory")
  void nothingOrphaned(String dir) throws IOException {
    Path root = Path.of(dir);
    Map<String, Object> kustomization = Kustomize.kustomization(root);
    Set<Path> listed = new HashSet<>();
    for (Object resource : listOrEmpty(kustomization.get("resources"))) {
      listed.add(root.resolve((String) resource).normalize());
    }
    for (Object patch : listOrEmpty(kustomization.get("patches"))) {
      listed.add(root.resolve(text(patch, "path")).normalize());
    }
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> orphans = files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
          .map(Path::normalize)
          .filter(p -> !listed.contains(p))
          .toList();
      assertThat(orphans).as("YAML files in %s that %s/kustomization.yaml does not list", dir, dir).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The container against the gateway's configuration and routes
  // ---------------------------------------------------------------------------------------------

  @ForEachKustomization
  @DisplayName("container ports are the configured http.port, clusterPort and clusterBusPort")
  void containerPortsMatchConfig(String dir) {
    Rendered r = rendered(dir);
    Map<String, String> config = r.effectiveConfig();
    assertThat(containerPort(r.container(), "http")).as("containerPort named http")
        .isEqualTo(Integer.parseInt(config.get("http.port")));
    assertThat(containerPort(r.container(), "hazelcast")).as("containerPort named hazelcast")
        .isEqualTo(Integer.parseInt(config.get("clusterPort")));
    assertThat(containerPort(r.container(), "eventbus")).as("containerPort named eventbus")
        .isEqualTo(Integer.parseInt(config.get("clusterBusPort")));
  }

  @ForEachKustomization
  @DisplayName("probes call /health/live and /health/ready on the HTTP port, routes that exist")
  void probesHitHealthRoutes(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> c = r.container();
    int httpPort = Integer.parseInt(r.effectiveConfig().get("http.port"));
    Set<String> routes = getRoutes();
    Map<String, String> expected = Map.of(
        "livenessProbe", "/health/live", "readinessProbe", "/health/ready", "startupProbe", "/health/live");
    expected.forEach((probe, path) -> {
      assertThat(get(c, probe)).as("%s of the gateway container", probe).isNotNull();
      assertThat(text(c, probe + ".httpGet.path")).as("%s path", probe).isEqualTo(path);
      assertThat(resolvePort(c, get(c, probe + ".httpGet.port"))).as("%s port", probe).isEqualTo(httpPort);
      assertThat(routes).as("GET routes of ApiVerticle that openapi.yaml documents").contains(path);
    });
  }

  @ForEachKustomization
  @DisplayName("every STELLA_ variable is ConfigLoader's name for a key of conf/application.yaml")
  void stellaVariablesAreConfigKeys(String dir) {
    Rendered r = rendered(dir);
    Set<String> known = envNamesOfConfigKeys().keySet();
    Map<String, String> configMap = r.configMapData();
    // ConfigLoader ignores a variable it has no key for, so a typo would silently do nothing.
    // Everything in the ConfigMap goes into the environment (envFrom): every key must be one.
    Set<String> unknown = new TreeSet<>();
    configMap.keySet().stream().filter(name -> !known.contains(name)).forEach(name -> unknown.add("ConfigMap " + name));
    for (Map<String, Object> env : maps(get(r.container(), "env"))) {
      String name = text(env, "name");
      if (name.startsWith("STELLA_") && !known.contains(name) && !NON_KEY_STELLA_VARIABLES.contains(name)) {
        unknown.add("env " + name);
      }
      // env silently wins over envFrom: one variable set in two places is a mistake waiting.
      assertThat(configMap).as("%s is set both in env and in the ConfigMap", name).doesNotContainKey(name);
    }
    assertThat(unknown).as("variables in %s that are not ConfigLoader.envName of a conf/application.yaml key", dir)
        .isEmpty();
    for (Map<String, Object> source : maps(get(r.container(), "envFrom"))) {
      assertThat(get(source, "prefix")).as("envFrom prefix (it would rename every variable)").isNull();
    }
  }

  @ForEachKustomization
  @DisplayName("the database URL and keys come from the Secret, never from the ConfigMap")
  void secretsComeFromTheSecret(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> template = secretTemplate();
    String secretName = text(template, "metadata.name");
    Set<String> secretKeys = secretValues(template).keySet();
    assertThat(secretKeys).as("secret template keys")
        .contains("STELLA_DB_URL", "STELLA_ADMIN_TOKEN", "STELLA_MASTER_KEY");
    Set<String> referenced = new TreeSet<>();
    for (Map<String, Object> env : maps(get(r.container(), "env"))) {
      Object ref = get(env, "valueFrom.secretKeyRef");
      if (ref != null) {
        assertThat(text(ref, "name")).as("Secret of %s", text(env, "name")).isEqualTo(secretName);
        assertThat(secretKeys).as("key of %s in the secret template", text(env, "name")).contains(text(ref, "key"));
        assertThat(get(ref, "optional")).as("%s optional", text(env, "name")).isNotEqualTo(true);
        referenced.add(text(env, "name"));
      }
    }
    // STELLA_DB_URL above all: without it each pod would run its own embedded PostgreSQL.
    assertThat(referenced).as("variables read from %s", secretName).containsAll(secretKeys);
    assertThat(r.configMapData().keySet()).as("ConfigMap keys").doesNotContainAnyElementsOf(secretKeys);
    // A rendered Secret would be applied by `kubectl apply -k` over the real one.
    assertThat(r.kinds()).as("kinds rendered from %s", dir).doesNotContain("Secret");
  }

  @Test
  @DisplayName("the secret template holds placeholders only, and only STELLA_ keys")
  void secretTemplateHoldsOnlyPlaceholders() {
    Map<String, Object> template = secretTemplate();
    assertThat(text(template, "kind")).as("kind in %s", SECRET_TEMPLATE).isEqualTo("Secret");
    Map<String, String> values = secretValues(template);
    assertThat(values).as("secret template values").isNotEmpty();
    assertThat(values.keySet().stream().filter(key -> !envNamesOfConfigKeys().containsKey(key)).toList())
        .as("keys of %s that are not ConfigLoader.envName of a conf/application.yaml key", SECRET_TEMPLATE).isEmpty();
    values.forEach((key, value) -> {
      assertThat(value).as("value of %s in %s (a placeholder, never a real secret)", key, SECRET_TEMPLATE)
          .matches(PLACEHOLDER);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Services, clustering, monitoring
  // ---------------------------------------------------------------------------------------------

  @ForEachKustomization
  @DisplayName("Services select the gateway pods and target ports the container has")
  void servicesSelectTheGatewayPods(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> deployment = r.one("Deployment");
    Map<String, Object> podLabels = map(deployment, "spec.template.metadata.labels");
    assertThat(selects(matchLabels(get(deployment, "spec.selector")), podLabels))
        .as("Deployment selector %s matches its pod labels %s", get(deployment, "spec.selector"), podLabels).isTrue();
    List<Map<String, Object>> selecting = r.all("Service").stream().filter(s -> get(s, "spec.selector") != null).toList();
    assertThat(selecting).as("Services with a selector").hasSize(2);
    for (Map<String, Object> service : selecting) {
      Map<String, Object> selector = map(service, "spec.selector");
      assertThat(selects(selector, podLabels))
          .as("Service %s selector %s matches pod labels %s", name(service), selector, podLabels).isTrue();
      for (Map<String, Object> port : maps(get(service, "spec.ports"))) {
        assertThat(resolvePort(r.container(), get(port, "targetPort")))
            .as("targetPort of port %s of Service %s", text(port, "name"), name(service)).isNotNull();
      }
    }
    Map<String, Object> http = r.httpService();
    Map<String, Object> httpPort = servicePort(http, "http");
    assertThat(get(httpPort, "port")).as("Service port http").isEqualTo(80);
    assertThat(resolvePort(r.container(), get(httpPort, "targetPort"))).as("container port behind Service port http")
        .isEqualTo(Integer.parseInt(r.effectiveConfig().get("http.port")));
  }

  @ForEachKustomization
  @DisplayName("the headless Service is what STELLA_CLUSTER_KUBERNETES_SERVICE names, on clusterPort")
  void clusterDiscoveryNamesTheHeadlessService(String dir) {
    Rendered r = rendered(dir);
    Map<String, String> config = r.effectiveConfig();
    int replicas = (Integer) get(r.one("Deployment"), "spec.replicas");
    if (replicas > 1) {
      // Without the cluster, events published on one replica's event bus never reach the others.
      assertThat(config.get("cluster")).as("cluster (STELLA_CLUSTER) with %s replicas", replicas).isEqualTo("true");
    }
    Map<String, Object> headless = r.headlessService();
    assertThat(get(headless, "spec.publishNotReadyAddresses"))
        .as("publishNotReadyAddresses: peers join before they are ready").isEqualTo(true);
    Map<String, Object> hazelcast = servicePort(headless, "hazelcast");
    int clusterPort = Integer.parseInt(config.get("clusterPort"));
    assertThat(get(hazelcast, "port")).as("headless Service port hazelcast").isEqualTo(clusterPort);
    assertThat(resolvePort(r.container(), get(hazelcast, "targetPort"))).as("container port behind Service port hazelcast")
        .isEqualTo(clusterPort);

    // <service>, or <service>.<namespace>[.svc[.<cluster domain>]]: the pod's DNS search path
    // completes the short form in its own namespace; a longer one must name the rendered namespace.
    String dns = config.get("clusterKubernetesService");
    String[] labels = dns.split("\\.");
    assertThat(labels[0]).as("service in STELLA_CLUSTER_KUBERNETES_SERVICE=%s", dns).isEqualTo(name(headless));
    if (labels.length > 1) {
      assertThat(r.namespace()).as("namespace of %s (a base without a namespace must use the short name)", dns)
          .isNotNull();
      assertThat(labels[1]).as("namespace in STELLA_CLUSTER_KUBERNETES_SERVICE=%s", dns).isEqualTo(r.namespace());
    }
    if (labels.length > 2) {
      assertThat(labels[2]).as("third label of %s", dns).isEqualTo("svc");
    }
    // Each replica announces its own pod IP to the others.
    Map<String, Object> host = env(r.container(), "STELLA_CLUSTER_HOST");
    assertThat(text(host, "valueFrom.fieldRef.fieldPath")).as("STELLA_CLUSTER_HOST source").isEqualTo("status.podIP");
  }

  @ForEachKustomization
  @DisplayName("the ServiceMonitor scrapes /metrics through the HTTP Service only")
  void serviceMonitorScrapesTheHttpService(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> monitor = r.one("ServiceMonitor");
    assertThat(text(monitor, "apiVersion")).as("ServiceMonitor apiVersion").isEqualTo("monitoring.coreos.com/v1");
    Map<String, Object> selector = matchLabels(get(monitor, "spec.selector"));
    List<String> selected = r.all("Service").stream()
        .filter(s -> selects(selector, mapOrEmpty(get(s, "metadata.labels"))))
        .map(K8sManifestsTest::name)
        .toList();
    // Selecting the headless Service too would scrape (or try to scrape) every pod twice.
    assertThat(selected).as("Services selected by %s", selector).containsExactly(name(r.httpService()));
    assertThat(get(monitor, "metadata.namespace")).as("ServiceMonitor namespace (it looks in its own)")
        .isEqualTo(get(r.httpService(), "metadata.namespace"));
    List<Map<String, Object>> endpoints = maps(get(monitor, "spec.endpoints"));
    assertThat(endpoints).as("ServiceMonitor endpoints").isNotEmpty();
    for (Map<String, Object> endpoint : endpoints) {
      servicePort(r.httpService(), text(endpoint, "port"));
      assertThat(text(endpoint, "path")).as("scrape path").isEqualTo("/metrics");
      assertThat(getRoutes()).as("GET routes of ApiVerticle that openapi.yaml documents").contains(text(endpoint, "path"));
      assertThat(text(endpoint, "interval")).as("scrape interval").isEqualTo("15s");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Availability: rollout, disruption budget, autoscaling, spreading, network policy
  // ---------------------------------------------------------------------------------------------

  @ForEachKustomization
  @DisplayName("rollouts and scaling never drop below full strength, resources are set")
  void availability(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> deployment = r.one("Deployment");
    Map<String, Object> podLabels = map(deployment, "spec.template.metadata.labels");
    int replicas = (Integer) get(deployment, "spec.replicas");
    assertThat(replicas).as("Deployment replicas").isGreaterThanOrEqualTo(3);
    assertThat(text(deployment, "spec.strategy.type")).as("rollout strategy").isEqualTo("RollingUpdate");
    assertThat(get(deployment, "spec.strategy.rollingUpdate.maxUnavailable")).as("rollout maxUnavailable").isEqualTo(0);
    assertThat(get(deployment, "spec.strategy.rollingUpdate.maxSurge")).as("rollout maxSurge").isEqualTo(1);

    Map<String, Object> pdb = r.one("PodDisruptionBudget");
    assertThat(selects(matchLabels(get(pdb, "spec.selector")), podLabels)).as("PDB selects the pods").isTrue();
    assertThat(get(pdb, "spec.maxUnavailable") != null || get(pdb, "spec.minAvailable") != null)
        .as("PDB sets maxUnavailable or minAvailable").isTrue();

    Map<String, Object> hpa = r.one("HorizontalPodAutoscaler");
    assertThat(text(hpa, "apiVersion")).as("HPA apiVersion").isEqualTo("autoscaling/v2");
    assertThat(text(hpa, "spec.scaleTargetRef.kind")).as("HPA target kind").isEqualTo("Deployment");
    assertThat(text(hpa, "spec.scaleTargetRef.apiVersion")).as("HPA target apiVersion").isEqualTo("apps/v1");
    assertThat(text(hpa, "spec.scaleTargetRef.name")).as("HPA target").isEqualTo(name(deployment));
    int minReplicas = (Integer) get(hpa, "spec.minReplicas");
    assertThat(minReplicas).as("HPA minReplicas").isLessThanOrEqualTo(replicas).isGreaterThanOrEqualTo(2);
    assertThat((Integer) get(hpa, "spec.maxReplicas")).as("HPA maxReplicas").isGreaterThan(minReplicas);
    // CPU utilisation is relative to the request: without one the HPA cannot compute it.
    Map<String, Object> resources = map(r.container(), "resources");
    assertThat(get(resources, "requests.cpu")).as("cpu request").isNotNull();
    assertThat(get(resources, "requests.memory")).as("memory request").isNotNull();
    assertThat(get(resources, "limits.memory")).as("memory limit (the JVM sizes its heap from it)").isNotNull();
    assertThat(get(resources, "limits.cpu")).as("cpu limit").isNotNull();

    for (Map<String, Object> spread : maps(get(deployment, "spec.template.spec.topologySpreadConstraints"))) {
      assertThat(selects(matchLabels(get(spread, "labelSelector")), podLabels))
          .as("topologySpreadConstraint %s selects the pods", spread).isTrue();
    }
  }

  @ForEachKustomization
  @DisplayName("the NetworkPolicy lets in HTTP, keeps Hazelcast among the replicas, allows needed egress")
  void networkPolicy(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> podLabels = map(r.one("Deployment"), "spec.template.metadata.labels");
    Map<String, String> config = r.effectiveConfig();
    int httpPort = Integer.parseInt(config.get("http.port"));
    int clusterPort = Integer.parseInt(config.get("clusterPort"));
    int busPort = Integer.parseInt(config.get("clusterBusPort"));
    Map<String, Object> policy = r.one("NetworkPolicy");
    Set<Integer> peerOnlyIn = new TreeSet<>();
    assertThat(selects(matchLabels(get(policy, "spec.podSelector")), podLabels)).as("policy applies to the pods").isTrue();
    assertThat(listOrEmpty(get(policy, "spec.policyTypes"))).as("policyTypes").containsExactlyInAnyOrder("Ingress", "Egress");

    boolean httpIn = false;
    for (Map<String, Object> rule : maps(get(policy, "spec.ingress"))) {
      for (Map<String, Object> port : maps(get(rule, "ports"))) {
        Integer target = resolvePort(r.container(), get(port, "port"));
        assertThat(target).as("ingress port %s exists on the container", get(port, "port")).isNotNull();
        if (target == clusterPort || target == busPort) {
          peerOnlyIn.add(target);
          // Only the gateway's own pods may join its Hazelcast cluster or send on its event bus.
          List<Map<String, Object>> from = maps(get(rule, "from"));
          assertThat(from).as("sources allowed to the Hazelcast port").isNotEmpty()
              .allSatisfy(peer -> assertThat(selects(matchLabels(get(peer, "podSelector")), podLabels)
                  && get(peer, "namespaceSelector") == null && get(peer, "ipBlock") == null)
                  .as("Hazelcast source %s is a gateway pod of this namespace", peer).isTrue());
        }
        httpIn |= target == httpPort;
      }
    }
    assertThat(httpIn).as("an ingress rule for the HTTP port %s", httpPort).isTrue();

    Set<String> egress = new TreeSet<>();
    for (Map<String, Object> rule : maps(get(policy, "spec.egress"))) {
      List<Map<String, Object>> to = maps(get(rule, "to"));
      boolean toPeers = !to.isEmpty() && to.stream().allMatch(peer -> selects(matchLabels(get(peer, "podSelector")), podLabels));
      for (Map<String, Object> port : maps(get(rule, "ports"))) {
        String protocol = get(port, "protocol") == null ? "TCP" : text(port, "protocol");
        egress.add(get(port, "port") + "/" + protocol + (toPeers ? " to peers" : ""));
      }
    }
    assertThat(peerOnlyIn).as("peer-only ingress for the Hazelcast and event-bus ports").containsExactly(clusterPort, busPort);
    assertThat(egress).as("egress rules").contains("53/UDP", "53/TCP", "5432/TCP", "443/TCP", clusterPort + "/TCP to peers",
        busPort + "/TCP to peers");
  }

  // ---------------------------------------------------------------------------------------------
  // Pod security and shutdown
  // ---------------------------------------------------------------------------------------------

  @ForEachKustomization
  @DisplayName("the pod runs as uid 10001, non-root, read-only, unprivileged, with writable /tmp and dataDir")
  void podIsLockedDown(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> pod = map(r.one("Deployment"), "spec.template.spec");
    Map<String, Object> c = r.container();
    // A container's securityContext overrides the pod's for the fields both have.
    assertThat(securityField(pod, c, "runAsNonRoot")).as("runAsNonRoot").isEqualTo(true);
    assertThat(securityField(pod, c, "runAsUser")).as("runAsUser").isEqualTo(10001);
    assertThat(securityField(pod, c, "seccompProfile.type")).as("seccompProfile").isEqualTo("RuntimeDefault");
    assertThat(get(c, "securityContext.readOnlyRootFilesystem")).as("readOnlyRootFilesystem").isEqualTo(true);
    assertThat(get(c, "securityContext.allowPrivilegeEscalation")).as("allowPrivilegeEscalation").isEqualTo(false);
    assertThat(listOrEmpty(get(c, "securityContext.capabilities.drop"))).as("dropped capabilities").contains("ALL");
    assertThat(get(c, "securityContext.capabilities.add")).as("added capabilities").isNull();

    // Read-only root: everything the process writes needs a volume.
    Map<String, String> mounts = new LinkedHashMap<>();
    maps(get(c, "volumeMounts")).forEach(m -> mounts.put(text(m, "mountPath"), text(m, "name")));
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    maps(get(pod, "volumes")).forEach(v -> volumes.put(text(v, "name"), v));
    String dataDir = r.effectiveConfig().get("dataDir");
    for (String path : List.of("/tmp", dataDir)) {
      assertThat(mounts).as("volumeMounts (writable %s)", path).containsKey(path);
      Map<String, Object> volume = volumes.get(mounts.get(path));
      assertThat(volume).as("volume %s", mounts.get(path)).isNotNull();
      assertThat(volume).as("volume for %s", path).containsKey("emptyDir");
    }

    // DNS-mode discovery needs no Kubernetes API access: own identity, no token.
    String account = text(pod, "serviceAccountName");
    assertThat(r.all("ServiceAccount").stream().map(K8sManifestsTest::name)).as("ServiceAccounts").contains(account);
    assertThat(get(pod, "automountServiceAccountToken")).as("automountServiceAccountToken").isEqualTo(false);
  }

  @ForEachKustomization
  @DisplayName("terminationGracePeriodSeconds exceeds preStop sleep + http.shutdownTimeout (+ Main's stop allowance)")
  void shutdownFitsTheGracePeriod(String dir) {
    Rendered r = rendered(dir);
    Map<String, Object> pod = map(r.one("Deployment"), "spec.template.spec");
    int grace = (Integer) get(pod, "terminationGracePeriodSeconds");
    int shutdownTimeout = Integer.parseInt(r.effectiveConfig().get("http.shutdownTimeout"));
    int preStop = preStopSleepSeconds(r.container());
    assertThat(preStop).as("preStop sleep (lets endpoints drop the pod before SIGTERM)").isPositive();
    assertThat(grace).as("terminationGracePeriodSeconds > preStop %s + shutdownTimeout %s", preStop, shutdownTimeout)
        .isGreaterThan(preStop + shutdownTimeout);
    // Main's shutdown hook waits shutdownTimeout + N seconds for the whole stop (pool, cluster).
    int hookExtra = Main.STOP_ALLOWANCE_SECONDS;
    assertThat(grace).as("terminationGracePeriodSeconds > preStop %s + shutdownTimeout %s + Main's %s",
        preStop, shutdownTimeout, hookExtra).isGreaterThan(preStop + shutdownTimeout + hookExtra);
  }

  // ---------------------------------------------------------------------------------------------
  // The overlay
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("the example overlay sets a namespace, pins the image, wires PostgreSQL and patches resources")
  void overlay() {
    Rendered base = rendered(BASE);
    Rendered overlay = rendered(OVERLAY);
    assertThat(base.namespace()).as("base namespace (overlays set it)").isNull();
    assertThat(overlay.namespace()).as("overlay namespace").isNotBlank();
    for (Map<String, Object> doc : overlay.docs()) {
      if (!Kustomize.CLUSTER_SCOPED.contains(text(doc, "kind"))) {
        assertThat(get(doc, "metadata.namespace")).as("namespace of %s", id(doc)).isEqualTo(overlay.namespace());
      }
    }
    // kustomize ignores an `images` entry whose name matches no container: a typo would go unnoticed.
    String baseImage = text(base.container(), "image");
    for (Map<String, Object> image : maps(Kustomize.kustomization(Path.of(OVERLAY)).get("images"))) {
      assertThat(Kustomize.imageName(baseImage)).as("images[].name in the overlay").isEqualTo(text(image, "name"));
    }
    String image = text(overlay.container(), "image");
    assertThat(image).as("overlay image").matches(".+:[A-Za-z0-9._-]+|.+@sha256:[0-9a-f]{64}").doesNotEndWith(":latest");

    Map<String, Object> postgres = overlay.all("Service").stream()
        .filter(s -> "ExternalName".equals(get(s, "spec.type"))).findFirst()
        .orElseThrow(() -> new AssertionError("no ExternalName Service for the external PostgreSQL in " + OVERLAY));
    assertThat(text(postgres, "spec.externalName")).as("externalName of Service %s", name(postgres)).isNotBlank();
    assertThat(name(overlay.one("Namespace"))).as("the overlay's Namespace").isEqualTo(overlay.namespace());

    // The overlay's patch reached the container.
    assertThat(get(overlay.container(), "resources")).as("container resources after the overlay's patch")
        .isNotEqualTo(get(base.container(), "resources"));
  }

  // ---------------------------------------------------------------------------------------------
  // Monitoring
  // ---------------------------------------------------------------------------------------------

  @Test
  @DisplayName("k8s/monitoring renders the PrometheusRule and the dashboard ConfigMap Grafana's sidecar loads, "
      + "under stable names and in no fixed namespace")
  void monitoring() throws IOException {
    Rendered r = rendered(MONITORING);
    assertThat(r.kinds()).as("kinds rendered from %s", MONITORING).containsExactly("ConfigMap", "PrometheusRule");
    assertThat(r.namespace()).as("namespace (applied with -n to Prometheus' and Grafana's)").isNull();

    Map<String, Object> rule = r.one("PrometheusRule");
    assertThat(text(rule, "apiVersion")).as("PrometheusRule apiVersion").isEqualTo("monitoring.coreos.com/v1");
    assertThat(get(rule, "metadata.labels.release")).as("release label kube-prometheus-stack selects rules by")
        .isNotNull();
    assertThat(maps(get(rule, "spec.groups"))).as("rule groups").isNotEmpty();

    // The sidecar follows the ConfigMap by its label; a hash suffix would leave a stale copy per change.
    Map<String, Object> dashboard = r.one("ConfigMap");
    assertThat(name(dashboard)).as("dashboard ConfigMap name").isEqualTo("stella-gateway-dashboard");
    assertThat(get(dashboard, "metadata.labels.grafana_dashboard")).as("grafana_dashboard label").isEqualTo("1");
    Path json = Path.of(MONITORING, "stella-gateway-dashboard.json");
    assertThat(map(dashboard, "data").get(json.getFileName().toString())).as("dashboard in the ConfigMap")
        .isEqualTo(Files.readString(json));
  }

  // ---------------------------------------------------------------------------------------------
  // The rendering and what the checks compare against
  // ---------------------------------------------------------------------------------------------

  /** The documents of one kustomization, and the namespace it sets (null in the base). */
  record Rendered(String namespace, List<Map<String, Object>> docs) {

    List<Map<String, Object>> all(String kind) {
      return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    Map<String, Object> one(String kind) {
      List<Map<String, Object>> found = all(kind);
      assertThat(found).as("rendered %s objects", kind).hasSize(1);
      return found.get(0);
    }

    Set<String> kinds() {
      return docs.stream().map(d -> String.valueOf(d.get("kind"))).collect(Collectors.toCollection(TreeSet::new));
    }

    Map<String, Object> container() {
      List<Map<String, Object>> containers = maps(get(one("Deployment"), "spec.template.spec.containers"));
      assertThat(containers).as("containers of the Deployment").hasSize(1);
      return containers.get(0);
    }

    Map<String, Object> headlessService() {
      List<Map<String, Object>> headless = all("Service").stream()
          .filter(s -> "None".equals(get(s, "spec.clusterIP"))).toList();
      assertThat(headless).as("headless Services (clusterIP: None)").hasSize(1);
      return headless.get(0);
    }

    /** The Service in front of the API: the selecting one that is not headless. */
    Map<String, Object> httpService() {
      List<Map<String, Object>> found = all("Service").stream()
          .filter(s -> get(s, "spec.selector") != null && !"None".equals(get(s, "spec.clusterIP"))).toList();
      assertThat(found).as("non-headless Services with a selector").hasSize(1);
      return found.get(0);
    }

    /** The ConfigMap the container's envFrom names (a reference to a missing one fails). */
    Map<String, String> configMapData() {
      Map<String, String> data = new LinkedHashMap<>();
      for (Map<String, Object> source : maps(get(container(), "envFrom"))) {
        Object ref = get(source, "configMapRef");
        if (ref == null) {
          continue;
        }
        String name = text(ref, "name");
        Map<String, Object> configMap = all("ConfigMap").stream().filter(c -> name.equals(name(c))).findFirst()
            .orElseThrow(() -> new AssertionError("envFrom names ConfigMap " + name + ", which is not rendered"));
        mapOrEmpty(configMap.get("data")).forEach((k, v) -> data.put(k, String.valueOf(v)));
      }
      return data;
    }

    /**
     * The configuration a pod would load, key by key: conf/application.yaml (the jar's defaults)
     * overridden by the ConfigMap, then by literal env values, as ConfigLoader does.
     */
    Map<String, String> effectiveConfig() {
      Map<String, String> byEnv = envNamesOfConfigKeys();
      Map<String, String> config = new LinkedHashMap<>();
      confDefaults().forEach((k, v) -> config.put(k, v == null ? "" : String.valueOf(v)));
      configMapData().forEach((env, value) -> {
        if (byEnv.containsKey(env)) {
          config.put(byEnv.get(env), value);
        }
      });
      for (Map<String, Object> env : maps(get(container(), "env"))) {
        String key = byEnv.get(text(env, "name"));
        if (key != null && env.get("value") != null) {
          config.put(key, String.valueOf(env.get("value")));
        }
      }
      return config;
    }
  }

  /**
   * The real kustomize, as {@code kubectl kustomize} (and so {@code kubectl apply -k}) renders a
   * directory. kubectl comes from the Debian package kubectl, which .ci/run installs; without it
   * the rendering fails the test rather than skipping it.
   */
  static final class Kustomize {

    static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
        "CustomResourceDefinition", "PriorityClass", "StorageClass", "PersistentVolume");

    static Map<String, Object> kustomization(Path dir) {
      return map(loadOne(dir.resolve("kustomization.yaml")), "");
    }

    static Rendered render(Path dir) {
      List<Map<String, Object>> docs = new ArrayList<>();
      new Yaml().loadAll(kubectl("kustomize", dir.toString())).forEach(doc -> {
        if (doc != null) {
          docs.add(map(doc, ""));
        }
      });
      // The namespace the kustomization (or the base it builds on) gives every namespaced object.
      String namespace = docs.stream().map(d -> (String) get(d, "metadata.namespace"))
          .filter(n -> n != null).findFirst().orElse(null);
      return new Rendered(namespace, docs);
    }

    /** kubectl's standard output; a failure to run it, or a non-zero exit, fails the test with its error output. */
    private static String kubectl(String... args) {
      List<String> command = new ArrayList<>(List.of("kubectl"));
      command.addAll(List.of(args));
      try {
        Path errors = Files.createTempFile("kubectl", ".err");
        try {
          Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
          process.getOutputStream().close();
          String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished within 60 s", command).isTrue();
          assertThat(process.exitValue()).as("exit code of %s: %s", command, Files.readString(errors)).isZero();
          return out;
        } finally {
          Files.deleteIfExists(errors);
        }
      } catch (IOException e) {
        return fail("could not run %s (install the Debian package kubectl, as .ci/run does): %s", command, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return fail("interrupted running %s", command);
      }
    }

    /** The repository part of an image reference: registry/path without :tag or @digest. */
    static String imageName(String image) {
      String withoutDigest = image.split("@", 2)[0];
      int slash = withoutDigest.lastIndexOf('/');
      int colon = withoutDigest.lastIndexOf(':');
      return colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sources of truth
  // ---------------------------------------------------------------------------------------------

  /** conf/application.yaml flattened to dotted keys, as ConfigLoader flattens it. */
  private static Map<String, Object> confDefaults() {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", map(loadOne(CONF), ""), flat);
    return flat;
  }

  private static void flatten(String prefix, Map<String, Object> tree, Map<String, Object> flat) {
    tree.forEach((k, v) -> {
      if (v instanceof Map<?, ?>) {
        flatten(prefix + k + ".", map(v, ""), flat);
      } else {
        flat.put(prefix + k, v);
      }
    });
  }

  /** STELLA_ environment name -> config key, by ConfigLoader's own mapping. */
  private static Map<String, String> envNamesOfConfigKeys() {
    Map<String, String> byEnv = new LinkedHashMap<>();
    confDefaults().keySet().forEach(key -> byEnv.put(ConfigLoader.envName(key), key));
    return byEnv;
  }

  /** GET paths the running gateway serves (its route table) that openapi.yaml also documents. */
  private static Set<String> getRoutes() {
    Set<String> served = new TreeSet<>();
    gw.app().routes().stream().filter(route -> route.startsWith("GET ")).forEach(route -> served.add(route.substring(4)));
    served.retainAll(map(loadOne(OPENAPI), "paths").keySet());
    return served;
  }

  private static Map<String, Object> secretTemplate() {
    List<Object> docs = loadAll(SECRET_TEMPLATE);
    assertThat(docs).as("documents in %s", SECRET_TEMPLATE).hasSize(1);
    return map(docs.get(0), "");
  }

  /** stringData as written, data base64-decoded: the values someone would commit. */
  private static Map<String, String> secretValues(Map<String, Object> secret) {
    Map<String, String> values = new LinkedHashMap<>();
    mapOrEmpty(secret.get("stringData")).forEach((k, v) -> values.put(k, String.valueOf(v)));
    mapOrEmpty(secret.get("data")).forEach((k, v) ->
        values.put(k, new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
    return values;
  }

  // ---------------------------------------------------------------------------------------------
  // Kubernetes helpers
  // ---------------------------------------------------------------------------------------------

  /** A port reference (number or name) as the container's port number; null when it has no such port. */
  private static Integer resolvePort(Map<String, Object> container, Object ref) {
    for (Map<String, Object> port : maps(get(container, "ports"))) {
      if (ref instanceof Integer n ? n.equals(port.get("containerPort")) : String.valueOf(ref).equals(port.get("name"))) {
        return (Integer) port.get("containerPort");
      }
    }
    return null;
  }

  private static int containerPort(Map<String, Object> container, String name) {
    Integer port = resolvePort(container, name);
    assertThat(port).as("container port named %s", name).isNotNull();
    return port;
  }

  private static Map<String, Object> servicePort(Map<String, Object> service, String name) {
    return maps(get(service, "spec.ports")).stream().filter(p -> name.equals(p.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("Service " + name(service) + " has no port named " + name));
  }

  private static Map<String, Object> env(Map<String, Object> container, String name) {
    return maps(get(container, "env")).stream().filter(e -> name.equals(e.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name + " on container " + name(container)));
  }

  /** matchLabels of a label selector; matchExpressions are refused, as these checks cannot evaluate them. */
  private static Map<String, Object> matchLabels(Object selector) {
    assertThat(selector).as("label selector").isNotNull();
    assertThat(get(selector, "matchExpressions")).as("matchExpressions in %s", selector).isNull();
    return map(selector, "matchLabels");
  }

  /** Whether a non-empty equality selector selects the labels (an empty one would select everything). */
  private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
    return !selector.isEmpty() && selector.entrySet().stream()
        .allMatch(e -> labels.containsKey(e.getKey()) && String.valueOf(e.getValue()).equals(String.valueOf(labels.get(e.getKey()))));
  }

  private static Object securityField(Map<String, Object> pod, Map<String, Object> container, String field) {
    Object own = get(container, "securityContext." + field);
    return own != null ? own : get(pod, "securityContext." + field);
  }

  /** preStop as the kubelet's sleep action or an exec of `sleep N`. */
  private static int preStopSleepSeconds(Map<String, Object> container) {
    Object seconds = get(container, "lifecycle.preStop.sleep.seconds");
    if (seconds != null) {
      return (Integer) seconds;
    }
    Object command = get(container, "lifecycle.preStop.exec.command");
    if (command != null) {
      Matcher m = Pattern.compile("\\bsleep\\s+(\\d+)").matcher(String.join(" ", listOrEmpty(command).stream().map(String::valueOf).toList()));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    return 0;
  }

  private static String name(Map<String, Object> doc) {
    return text(doc, "metadata.name");
  }

  private static String id(Map<String, Object> doc) {
    return doc.get("kind") + "/" + get(doc, "metadata.namespace") + "/" + get(doc, "metadata.name");
  }

  // ---------------------------------------------------------------------------------------------
  // YAML helpers
  // ---------------------------------------------------------------------------------------------

  private static Object loadOne(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      return new Yaml().load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a multi-document file; empty documents are skipped, as kustomize does. */
  private static List<Object> loadAll(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      List<Object> docs = new ArrayList<>();
      new Yaml().loadAll(reader).forEach(doc -> {
        if (doc != null) {
          assertThat(doc).as("document in %s", file).isInstanceOf(Map.class);
          docs.add(doc);
        }
      });
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value at a dotted path of nested maps, or null; "" is the object itself. */
  private static Object get(Object root, String path) {
    Object current = root;
    if (path.isEmpty()) {
      return current;
    }
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> m)) {
        return null;
      }
      current = m.get(part);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object root, String path) {
    Object value = get(root, path);
    assertThat(value).as("mapping at '%s'", path).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mapOrEmpty(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  private static String text(Object root, String path) {
    Object value = get(root, path);
    assertThat(value).as("value at '%s'", path).isNotNull();
    return String.valueOf(value);
  }

  private static List<Object> listOrEmpty(Object value) {
    if (value == null) {
      return List.of();
    }
    assertThat(value).isInstanceOf(List.class);
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) value;
    return list;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Object value) {
    List<Map<String, Object>> result = new ArrayList<>();
    for (Object element : listOrEmpty(value)) {
      assertThat(element).isInstanceOf(Map.class);
      result.add((Map<String, Object>) element);
    }
    return result;
  }
}
