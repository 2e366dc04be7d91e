package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.ot.testkit.RepoRoot;
import dev.tandem.schemas.Topics;
import dev.tandem.standalone.cli.TandemCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No drift between the deployment files and the code: the Kubernetes manifests (rendered with
 * kustomize) and docker-compose.yml run real subcommands, set only variables those services
 * read, probe the paths and ports they serve, and declare the topics the code creates; every
 * object passes its schema (kubernetes-models for Kubernetes' own kinds, dclint for Compose).
 */
class DeploymentDriftTest {

  private static final Path ROOT = RepoRoot.find();
  private static final Map<String, Integer> DEFAULT_PORTS = Map.of("gateway", 8080, "ot-service", 8081, "presence", 8082,
      "signaling", 8090);
  private static final Map<String, Set<String>> READ = new HashMap<>();

  private static Set<String> read(String command) {
    return READ.computeIfAbsent(command, TandemCli::settingsRead);
  }

  private static boolean hasKubectl() {
    try {
      return new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start()
          .waitFor(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String render(String overlay) throws Exception {
    Process p = new ProcessBuilder("kubectl", "kustomize", ROOT.resolve("k8s/overlays/" + overlay).toString())
        .redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "kubectl kustomize " + overlay + ": " + err);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> documents(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : new Yaml().loadAll(yaml)) {
      if (o != null) {
        out.add((Map<String, Object>) o);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, String... path) {
    Object o = node;
    for (String p : path) {
      if (!(o instanceof Map<?, ?> m)) {
        return null;
      }
      o = m.get(p);
    }
    return (T) o;
  }

  @Test
  void kubernetesManifestsRunRealCommandsWithSettingsTheServicesRead() throws Exception {
    assumeTrue(hasKubectl(), "kubectl is not on this machine: the manifests are not rendered here");
    for (String overlay : List.of("strimzi", "existing-kafka")) {
      List<Map<String, Object>> objects = documents(render(overlay));
      Map<String, Map<String, Object>> configMaps = new HashMap<>();
      Map<String, Map<String, Object>> byKindName = new HashMap<>();
      for (Map<String, Object> o : objects) {
        byKindName.put(o.get("kind") + "/" + at(o, "metadata", "name"), o);
        if ("ConfigMap".equals(o.get("kind"))) {
          configMaps.put(at(o, "metadata", "name"), o);
        }
      }
      Set<String> commandsDeployed = new TreeSet<>();
      for (Map<String, Object> o : objects) {
        String kind = (String) o.get("kind");
        if (!Set.of("Deployment", "StatefulSet", "DaemonSet").contains(kind)) {
          continue;
        }
        Map<String, Object> podLabels = at(o, "spec", "template", "metadata", "labels");
        assertEquals(at(o, "spec", "selector", "matchLabels"), subset(podLabels, at(o, "spec", "selector", "matchLabels")),
            kind + " selects its own pods");
        List<Map<String, Object>> containers = at(o, "spec", "template", "spec", "containers");
        for (Map<String, Object> c : containers) {
          if (!String.valueOf(c.get("image")).startsWith("tandem")) {
            continue;
          }
          String where = overlay + " " + kind + "/" + at(o, "metadata", "name");
          List<String> args = at(c, "args");
          assertNotNull(args, where + " gives the command as args");
          String command = args.get(0);
          assertTrue(TandemCli.COMMANDS.contains(command), where + ": " + command + " is not a tandem command");
          commandsDeployed.add(command);
          Map<String, String> env = new HashMap<>();
          List<Map<String, Object>> envFrom = at(c, "envFrom");
          for (Map<String, Object> from : envFrom == null ? List.<Map<String, Object>>of() : envFrom) {
            String cm = at(from, "configMapRef", "name");
            Map<String, Object> data = at(configMaps.get(cm), "data");
            assertNotNull(data, where + " reads ConfigMap " + cm + ", which is not in the manifests");
            data.forEach((k, v) -> env.put(k, String.valueOf(v)));
          }
          List<Map<String, Object>> list = at(c, "env");
          for (Map<String, Object> e : list == null ? List.<Map<String, Object>>of() : list) {
            env.put((String) e.get("name"), e.get("value") == null ? "(from " + e.get("valueFrom") + ")" : String.valueOf(e.get("value")));
            Map<String, Object> secret = at(e, "valueFrom", "secretKeyRef");
            if (secret != null) {
              Map<String, Object> s = byKindName.get("Secret/" + secret.get("name"));
              assertNotNull(s, where + " reads Secret " + secret.get("name") + ", which is not in the manifests");
              assertTrue(((Map<?, ?>) at(s, "stringData")).containsKey(secret.get("key")), where + ": no key " + secret.get("key"));
            }
          }
          Set<String> unread = new TreeSet<>(env.keySet());
          unread.removeAll(read(command));
          assertTrue(unread.isEmpty(), where + " sets " + unread + ", which tandem " + command + " does not read");
          int port = env.containsKey("TANDEM_PORT") ? Integer.parseInt(env.get("TANDEM_PORT")) : DEFAULT_PORTS.get(command);
          List<Map<String, Object>> ports = at(c, "ports");
          Map<String, Object> http = ports.stream().filter(p -> "http".equals(p.get("name"))).findFirst().orElseThrow();
          assertEquals(port, http.get("containerPort"), where + ": the http containerPort is the port it listens on");
          assertEquals("/health/ready", at(c, "readinessProbe", "httpGet", "path"), where);
          assertEquals("/health/live", at(c, "livenessProbe", "httpGet", "path"), where);
          assertEquals("http", at(c, "readinessProbe", "httpGet", "port"), where);
          assertEquals("http", at(c, "livenessProbe", "httpGet", "port"), where);
          Map<String, Object> annotations = at(o, "spec", "template", "metadata", "annotations");
          assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"), where + ": metrics are scraped on its port");
          assertEquals("/metrics", annotations.get("prometheus.io/path"), where);
          Number grace = at(o, "spec", "template", "spec", "terminationGracePeriodSeconds");
          long drainMs = Long.parseLong(env.getOrDefault("TANDEM_DRAIN_MS", "5000"));
          assertTrue(grace != null && grace.longValue() * 1000 > drainMs + 10_000,
              where + ": the grace period covers the drain (" + drainMs + " ms) and the stop after it");
        }
      }
      assertEquals(Set.of("gateway", "ot-service", "presence", "signaling"), commandsDeployed, overlay);
      for (Map<String, Object> o : objects) {
        if ("HorizontalPodAutoscaler".equals(o.get("kind"))) {
          String target = at(o, "spec", "scaleTargetRef", "kind") + "/" + at(o, "spec", "scaleTargetRef", "name");
          assertTrue(byKindName.containsKey(target), overlay + ": HPA targets " + target + ", which is not there");
        }
        if ("Service".equals(o.get("kind")) || "PodDisruptionBudget".equals(o.get("kind"))) {
          Map<String, Object> selector = "Service".equals(o.get("kind")) ? at(o, "spec", "selector")
              : at(o, "spec", "selector", "matchLabels");
          assertTrue(objects.stream().anyMatch(w -> Set.of("Deployment", "StatefulSet").contains(w.get("kind"))
                  && selector.equals(subset(at(w, "spec", "template", "metadata", "labels"), selector))),
              overlay + ": " + o.get("kind") + "/" + at(o, "metadata", "name") + " selects no pods");
        }
        if ("Ingress".equals(o.get("kind"))) {
          List<Map<String, Object>> rules = at(o, "spec", "rules");
          for (Map<String, Object> rule : rules) {
            List<Map<String, Object>> paths = at(rule, "http", "paths");
            for (Map<String, Object> p : paths) {
              String svc = at(p, "backend", "service", "name");
              assertTrue(byKindName.containsKey("Service/" + svc), overlay + ": the Ingress routes to " + svc);
            }
          }
        }
      }
      if (overlay.equals("strimzi")) {
        assertTopicsMatchTheCode(objects);
      }
    }
  }

  /** The KafkaTopic resources are exactly {@link Topics#specs}: names, partitions, configs. */
  private static void assertTopicsMatchTheCode(List<Map<String, Object>> objects) {
    Map<String, Map<String, Object>> declared = new HashMap<>();
    for (Map<String, Object> o : objects) {
      if ("KafkaTopic".equals(o.get("kind"))) {
        declared.put(at(o, "spec", "topicName"), o);
      }
    }
    List<NewTopic> code = new Topics("tandem").specs(8);
    assertEquals(code.stream().map(NewTopic::name).collect(java.util.stream.Collectors.toSet()), declared.keySet());
    for (NewTopic t : code) {
      Map<String, Object> k = declared.get(t.name());
      assertEquals(t.numPartitions(), ((Number) at(k, "spec", "partitions")).intValue(), t.name());
      Map<String, Object> config = at(k, "spec", "config");
      Map<String, String> asText = new HashMap<>();
      config.forEach((key, v) -> asText.put(key, String.valueOf(v)));
      assertEquals(t.configs(), asText, t.name() + "'s configs");
      assertEquals(3, ((Number) at(k, "spec", "replicas")).intValue(), t.name());
    }
  }

  private static Map<String, Object> subset(Map<String, Object> labels, Map<String, Object> keys) {
    Map<String, Object> out = new HashMap<>();
    keys.keySet().forEach(k -> {
      if (labels.containsKey(k)) {
        out.put(k, labels.get(k));
      }
    });
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeRunsRealCommandsWithSettingsTheServicesReadAndItsProxyReachesThem() throws Exception {
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    Map<String, Integer> portOf = new HashMap<>();
    Set<String> commands = new TreeSet<>();
    for (var e : services.entrySet()) {
      Map<String, Object> s = e.getValue();
      if (!String.valueOf(s.get("image")).startsWith("tandem")) {
        continue;
      }
      List<String> command = (List<String>) s.get("command");
      assertTrue(TandemCli.COMMANDS.contains(command.get(0)), e.getKey() + ": " + command);
      commands.add(command.get(0));
      Map<String, Object> env = (Map<String, Object>) s.get("environment");
      Set<String> unread = new TreeSet<>(env.keySet());
      unread.removeAll(read(command.get(0)));
      assertTrue(unread.isEmpty(), e.getKey() + " sets " + unread + ", which tandem " + command.get(0) + " does not read");
      int port = Integer.parseInt(String.valueOf(env.get("TANDEM_PORT")));
      portOf.put(e.getKey(), port);
      List<String> test = at(s, "healthcheck", "test");
      assertNotNull(test, e.getKey() + " has a health check");
      assertTrue(String.join(" ", test).contains("http://localhost:" + port + "/health/ready"),
          e.getKey() + "'s health check asks its readiness on its port: " + test);
      assertTrue(((Map<String, Object>) s.get("depends_on")).keySet().containsAll(List.of("kafka-1", "kafka-2", "kafka-3")),
          e.getKey() + " starts after Kafka");
    }
    assertEquals(Set.of("gateway", "ot-service", "presence", "signaling"), commands);
    String nginx = Files.readString(ROOT.resolve("deploy/nginx.conf"));
    Matcher m = Pattern.compile("server ([a-z0-9-]+):(\\d+)").matcher(nginx);
    int upstreams = 0;
    while (m.find()) {
      upstreams++;
      assertEquals(portOf.get(m.group(1)), Integer.valueOf(m.group(2)), "nginx reaches " + m.group(1) + " on its port");
    }
    assertEquals(4, upstreams, "two gateways and two signaling instances behind the proxy");
  }

  @Test
  void everyObjectPassesItsSchema() throws Exception {
    assumeTrue(hasKubectl(), "kubectl is not on this machine: the manifests are not rendered here");
    Path rendered = Files.createTempFile("tandem-k8s-", ".yaml");
    Files.writeString(rendered, render("strimzi") + "\n---\n" + render("existing-kafka"));
    NodeScript.Result r = NodeScript.start("standalone/src/test/node/validate-deployment.mjs", Map.of(),
        rendered.toString(), ROOT.resolve("docker-compose.yml").toString()).await(Duration.ofSeconds(120));
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("kubernetes objects valid"), r.output());
    assertTrue(r.output().contains("compose valid"), r.output());
    assertFalse(r.output().contains("INVALID"), r.output());
  }
}
