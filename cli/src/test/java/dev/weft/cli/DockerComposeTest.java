package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.kafka.junit.AptInstall;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/compose.yaml without Docker (none runs here): every Weft service of the file is started as compose would start
 * it, with its own command line, environment and health check read from the file, as a JVM of {@code weft}'s main
 * class, which is what the image's entry point runs. Only addresses change: the embedded broker stands in for the
 * kafka service, and ports become free ones, since every container has ports of its own and these processes share one
 * machine. So the commands that compose runs are the commands tested, and no copy of them lives here.
 *
 * <p>Also: the file's shape (health checks, dependencies, a worker service that scales), the image's entry point, the
 * Kubernetes example's agreement with the compose file and with Weft's topic names, and {@code docker compose config}
 * where compose is installed or installable.
 */
@WithKafka
@org.junit.jupiter.api.Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerComposeTest {
  private static final Path ROOT = repositoryRoot();
  private static final Path DOCKER = ROOT.resolve("docker");
  private static final Path COMPOSE = DOCKER.resolve("compose.yaml");
  private static final String WEFT_DOCKERFILE = "docker/Dockerfile";
  private static final String KAFKA_SERVICE = "kafka";
  /** Where the image keeps examples/ (the Dockerfile's COPY, checked below): a job's graph file is read from there. */
  private static final String IMAGE_EXAMPLES = "/opt/weft/examples/";
  /** Copies of a scaled service started, as --scale worker=2 would: two that run side by side show it scales. */
  private static final Map<String, Integer> SCALE = Map.of("worker", 2);
  private static final Duration HEALTHY_WITHIN = Duration.ofMinutes(3);
  private static final Duration JOB_WITHIN = Duration.ofMinutes(5);
  /** Compose's own default, for services that set no stop_grace_period. */
  private static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir
  Path logs;

  // ---------------------------------------------------------------------------------------------------------------
  // The file's shape

  @Test
  void theComposeFileIsAWeftDeploymentThatScales() throws IOException {
    Map<String, Service> services = services();
    Service kafka = services.get(KAFKA_SERVICE);
    assertNotNull(kafka, "a kafka service");
    // The Kafka of the tests and of the embedded broker, so that what runs here is what compose runs against.
    assertEquals("apache/kafka:" + EmbeddedKafka.KAFKA_VERSION, kafka.spec.path("image").asText());
    assertTrue(kafka.environment().get("KAFKA_PROCESS_ROLES").contains("controller"), "KRaft, no ZooKeeper");
    assertTrue(kafka.environment().get("KAFKA_ADVERTISED_LISTENERS").contains("//" + KAFKA_SERVICE + ":9092"),
        "other containers reach Kafka at kafka:9092: " + kafka.environment());

    for (Service service : services.values()) {
      assertTrue(service.name.equals(KAFKA_SERVICE) || service.weft(),
          service.name + ": every service but Kafka runs the Weft image, so this test runs them all");
      assertTrue(service.spec.has("healthcheck"), service.name + " has a health check");
      for (Map.Entry<String, JsonNode> dependency : service.spec.path("depends_on").properties()) {
        assertTrue(services.containsKey(dependency.getKey()), service.name + " depends on a service of the file");
        assertEquals("service_healthy", dependency.getValue().path("condition").asText(),
            service.name + " waits for " + dependency.getKey() + " to be healthy, not just started");
      }
      if (!service.weft()) {
        continue;
      }
      assertEquals("weft", service.spec.path("image").asText(), service.name + ": one image");
      assertEquals("..", service.spec.path("build").path("context").asText(), service.name + ": built from the root");
      assertFalse(service.spec.has("container_name"), service.name + ": compose names the copies");
      List<String> command = service.command();
      if (service.job()) {
        assertEquals("no", service.spec.path("restart").asText(), service.name + ": a job runs once");
        assertTrue(service.spec.has("profiles"), service.name + ": a job starts only when asked for");
        continue;
      }
      assertEquals("CMD", service.healthcheck().get(0), service.name);
      assertEquals("weft", service.healthcheck().get(1), service.name + ": the image has no curl");
      assertEquals("health", service.healthcheck().get(2), service.name);
      // Weft listens on 127.0.0.1 unless told otherwise: a container must say 0.0.0.0, or no other one reaches it.
      if (command.get(0).equals("registry")) {
        assertEquals("0.0.0.0", valueAfter(command, "--host"), service.name + " " + command);
      } else {
        assertTrue(command.contains("weft.http.host=0.0.0.0"), service.name + " " + command);
        assertTrue(command.stream().anyMatch(word -> word.startsWith("weft.http.port=")), service.name + " " + command);
      }
    }

    List<Service> schedulers = services.values().stream().filter(s -> s.weft() && s.command().get(0).equals(
        "scheduler")).toList();
    assertEquals(2, schedulers.size(), "two schedulers");
    assertTrue(schedulers.stream().anyMatch(s -> s.publishedPorts().contains("8787:8787")),
        "the dashboard of a scheduler is on the host's port 8787");
    Service worker = services.get("worker");
    assertEquals("worker", worker.command().get(0));
    // A host port can be bound once: a worker that published one could not run twice.
    assertFalse(worker.spec.has("ports"), "--scale worker=N needs a worker without host ports");

    // The image: its entry point is the weft launcher, which is weft's main class with the arguments as given.
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("ENTRYPOINT [\"weft\"]"), dockerfile);
    assertTrue(dockerfile.contains("docker/weft /usr/local/bin/weft"), dockerfile);
    assertTrue(dockerfile.contains("/src/examples/ " + IMAGE_EXAMPLES), dockerfile);
    assertTrue(Files.readString(DOCKER.resolve("weft")).strip().endsWith(Main.class.getName() + " \"$@\""),
        "docker/weft runs " + Main.class.getName() + " with the command's arguments unchanged");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The file's commands, run

  @Test
  void everyWeftServiceRunsAsComposeWouldRunItAndComputesAGraph(TestKafka kafka) throws Exception {
    Map<String, Service> services = services();
    List<List<Service>> waves = startWaves(services);
    List<Service> jobs = services.values().stream().filter(s -> s.weft() && s.job()).toList();
    assertFalse(jobs.isEmpty(), "a job that submits a graph through the deployment");

    // kafka:9092 is the embedded broker; registry:8081 is the first registry started, on its free port.
    Map<String, String> addresses = new LinkedHashMap<>();
    addresses.put(KAFKA_SERVICE + ":9092", kafka.bootstrapServers());
    Set<Integer> composePorts = new HashSet<>(List.of(9092));
    services.values().stream().filter(Service::weft).forEach(s -> composePorts.addAll(s.containerPorts()));

    List<Instance> started = new ArrayList<>();
    try {
      for (List<Service> wave : waves) {
        Map<Service, List<Instance>> copies = new LinkedHashMap<>();
        for (Service service : wave) {
          for (int copy = 1; copy <= SCALE.getOrDefault(service.name, 1); copy++) {
            // Each container has its ports to itself; here they share one machine, so each copy takes free ones.
            Map<Integer, Integer> ports = new LinkedHashMap<>();
            for (int port : service.containerPorts()) {
              ports.put(port, freePort(composePorts));
            }
            Instance instance = new Instance(service.name + "-" + copy, service, ports, addresses);
            started.add(instance);
            copies.computeIfAbsent(service, s -> new ArrayList<>()).add(instance);
            instance.start(logs);
          }
        }
        for (Map.Entry<Service, List<Instance>> service : copies.entrySet()) {
          for (Instance instance : service.getValue()) {
            long waiting = System.nanoTime();
            awaitHealthy(instance);
            System.out.printf("DockerComposeTest: %s healthy %.1f s after its start (%.1f s waited here)%n",
                instance.name, (System.nanoTime() - instance.startedNanos) / 1e9, (System.nanoTime() - waiting) / 1e9);
          }
          // Others reach the service by its name: here at the first copy's address.
          for (Map.Entry<Integer, Integer> port : service.getValue().get(0).ports.entrySet()) {
            addresses.put(service.getKey().name + ":" + port.getKey(), "127.0.0.1:" + port.getValue());
          }
        }
      }

      for (Service job : jobs) {
        Instance run = new Instance(job.name + "-run", job, Map.of(), addresses);
        started.add(run);
        run.start(logs);
        assertTrue(run.process.waitFor(JOB_WITHIN.toSeconds(), TimeUnit.SECONDS), job.name + " did not end within "
            + JOB_WITHIN + ":\n" + run.output());
        assertEquals(Main.OK, run.process.exitValue(), job.name + " failed:\n" + run.output());
        System.out.printf("DockerComposeTest: %s done in %.1f s%n", run.name, (System.nanoTime() - run.startedNanos)
            / 1e9);
        // The job's command names its graph file and output options; the sync scheduler computes the same file.
        List<String> local = new ArrayList<>(run.command());
        assertEquals("submit", local.get(0), job.name + ": a job submits a graph");
        local.set(0, "run");
        local.removeIf(word -> word.equals("--no-progress"));
        int timeout = local.indexOf("--timeout");
        if (timeout >= 0) {
          local.subList(timeout, timeout + 2).clear();
        }
        local.addAll(List.of("-s", "sync"));
        Captured expected = captured(local);
        assertEquals(Main.OK, expected.status, local + ": " + expected.err);
        assertEquals(expected.out, Files.readString(run.stdout), job.name + " printed what the graph computes");
        if (job.name.equals("submit")) {
          assertEquals("total = 285\n", Files.readString(run.stdout), "what compose.yaml says the demo prints");
        }
      }
    } finally {
      // As 'docker compose down': SIGTERM, last started first, and a kill for what outlives its grace period.
      List<String> slow = new ArrayList<>();
      List<Instance> lastFirst = new ArrayList<>(started);
      java.util.Collections.reverse(lastFirst);
      for (Instance instance : lastFirst) {
        instance.process.destroy();
        if (!instance.process.waitFor(instance.service.gracePeriod().toSeconds(), TimeUnit.SECONDS)) {
          slow.add(instance.name);
          instance.process.destroyForcibly();
          instance.process.waitFor(1, TimeUnit.MINUTES);
        }
      }
      System.out.println("DockerComposeTest: stopped " + started.size() + " processes; outlived their compose grace"
          + " period: " + slow);
    }
  }

  /**
   * Compose's start order: together, every service whose dependencies are healthy (Kafka is given), in the file's
   * order; then those that waited for them.
   */
  private static List<List<Service>> startWaves(Map<String, Service> services) {
    List<Service> pending = services.values().stream().filter(s -> s.weft() && !s.job()).collect(
        Collectors.toCollection(ArrayList::new));
    Set<String> healthy = new HashSet<>(Set.of(KAFKA_SERVICE));
    List<List<Service>> waves = new ArrayList<>();
    while (!pending.isEmpty()) {
      List<Service> wave = pending.stream().filter(s -> healthy.containsAll(s.dependsOn())).toList();
      if (wave.isEmpty()) {
        throw new AssertionError("depends_on has a cycle or names a missing service among " + pending);
      }
      pending.removeAll(wave);
      wave.forEach(s -> healthy.add(s.name));
      waves.add(wave);
    }
    return waves;
  }

  /** Runs the service's health check command, as Docker would, until it passes; fails if the service exits first. */
  private static void awaitHealthy(Instance instance) throws Exception {
    List<String> check = instance.healthcheck();
    assertEquals(List.of("CMD", "weft"), check.subList(0, 2), instance.name);
    long deadline = System.nanoTime() + HEALTHY_WITHIN.toNanos();
    Captured last;
    while (true) {
      if (!instance.process.isAlive()) {
        fail(instance.name + " exited with " + instance.process.exitValue() + " before its health check passed:\n"
            + instance.output());
      }
      last = captured(check.subList(2, check.size()));
      if (last.status == Main.OK) {
        return;
      }
      if (System.nanoTime() > deadline) {
        fail(instance.name + " is not healthy after " + HEALTHY_WITHIN + " (" + String.join(" ", check) + ": "
            + last.err.strip() + "):\n" + instance.output());
      }
      // Docker asks every interval (10 s in the file); asking often here only makes the test quicker.
      Thread.sleep(200);
    }
  }

  private record Captured(int status, String out, String err) {}

  /** weft's main class in this JVM, its output captured: how the health checks are asked here. */
  private static synchronized Captured captured(List<String> args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args.toArray(String[]::new));
      return new Captured(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  /** A port nothing listens on now, other than the file's own (so that substituting one never hits another). */
  private static int freePort(Set<Integer> avoid) throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (!avoid.contains(socket.getLocalPort())) {
          avoid.add(socket.getLocalPort());
          return socket.getLocalPort();
        }
      }
    }
  }

  /** One copy of a service: a JVM of weft's main class with the service's arguments and environment. */
  private static final class Instance {
    final String name;
    final Service service;
    /** The service's ports (as in the file) to the free ones this copy uses. */
    final Map<Integer, Integer> ports;
    /** service:port as the file writes it, to where it is here. */
    final Map<String, String> addresses;
    Process process;
    long startedNanos;
    Path stdout;
    Path stderr;

    Instance(String name, Service service, Map<Integer, Integer> ports, Map<String, String> addresses) {
      this.name = name;
      this.service = service;
      this.ports = ports;
      this.addresses = Map.copyOf(addresses);
    }

    /**
     * A string of the file with this copy's addresses: service:port to where that service is, then its own ports to
     * its free ones, then the image's examples/ folder to the repository's. 0.0.0.0 stays 0.0.0.0: what the file
     * binds is what is bound (on this machine's every interface, for the test's length).
     */
    String here(String value) {
      String result = value;
      for (Map.Entry<String, String> address : addresses.entrySet()) {
        result = result.replace(address.getKey(), address.getValue());
      }
      for (Map.Entry<Integer, Integer> port : ports.entrySet()) {
        result = result.replaceAll("(?<![0-9])" + port.getKey() + "(?![0-9])", port.getValue().toString());
      }
      return result.replace(IMAGE_EXAMPLES, ROOT.resolve("examples") + "/");
    }

    List<String> command() {
      return service.command().stream().map(this::here).toList();
    }

    List<String> healthcheck() {
      return service.healthcheck().stream().map(this::here).toList();
    }

    void start(Path logs) throws IOException {
      List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          // A small heap: the image gives each container a share of its memory limit; here five JVMs share one.
          "-Xmx384m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
      java.addAll(command());
      ProcessBuilder builder = new ProcessBuilder(java);
      // A container has only the environment the file gives it, not the one of whoever started compose.
      builder.environment().keySet().removeIf(key -> key.startsWith("WEFT_"));
      service.environment().forEach((key, value) -> builder.environment().put(key, here(value)));
      stdout = logs.resolve(name + ".out");
      stderr = logs.resolve(name + ".err");
      startedNanos = System.nanoTime();
      process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      process.getOutputStream().close();
    }

    String output() {
      try {
        return "$ weft " + String.join(" ", command()) + "\n" + tail(Files.readString(stdout)) + tail(
            Files.readString(stderr));
      } catch (IOException e) {
        return "(its output cannot be read: " + e + ")";
      }
    }

    private static String tail(String text) {
      return text.length() <= 20_000 ? text : "[...]\n" + text.substring(text.length() - 20_000);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The Kubernetes example

  @Test
  void theKubernetesExampleRunsTheTestedCommandsAndScalesOnTheWorkersLag() throws IOException {
    Map<String, Service> compose = services();
    Map<String, JsonNode> objects = new LinkedHashMap<>();
    Set<String> files = new LinkedHashSet<>();
    try (Stream<Path> listed = Files.list(DOCKER.resolve("k8s"))) {
      for (Path file : listed.sorted().toList()) {
        if (file.getFileName().toString().equals("kustomization.yaml")) {
          continue;
        }
        files.add(file.getFileName().toString());
        for (JsonNode object : YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class).readAll()) {
          objects.put(object.path("kind").asText() + "/" + object.path("metadata").path("name").asText(), object);
        }
      }
    }
    JsonNode kustomization = YAML.readTree(DOCKER.resolve("k8s/kustomization.yaml").toFile());
    Set<String> resources = new LinkedHashSet<>();
    kustomization.path("resources").forEach(resource -> resources.add(resource.asText()));
    assertEquals(files, resources, "kubectl apply -k applies every file of the folder");

    Map<String, String> connection = new LinkedHashMap<>();
    objects.get("ConfigMap/weft-connection").path("data").properties().forEach(e -> connection.put(e.getKey(),
        e.getValue().asText()));
    // The same variables as compose gives its services, with the cluster's addresses.
    assertEquals(compose.get("scheduler-1").environment().keySet(), connection.keySet());

    // Each Deployment runs the command that compose runs, and so that this test runs; probes ask the same port.
    Map<String, String> composeServiceOf = Map.of("weft-registry", "registry", "weft-scheduler", "scheduler-1",
        "weft-worker", "worker");
    for (Map.Entry<String, String> pair : composeServiceOf.entrySet()) {
      JsonNode deployment = objects.get("Deployment/" + pair.getKey());
      assertNotNull(deployment, pair.getKey());
      JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
      Service service = compose.get(pair.getValue());
      assertEquals(service.command(), strings(container.path("args")), pair.getKey() + " runs " + pair.getValue()
          + "'s command");
      assertEquals("weft-connection", container.path("envFrom").get(0).path("configMapRef").path("name").asText());
      URI check = URI.create(service.healthcheck().get(3));
      JsonNode probe = container.path("readinessProbe").path("httpGet");
      assertEquals(check.getPath(), probe.path("path").asText(), pair.getKey());
      int probePort = -1;
      for (JsonNode port : container.path("ports")) {
        if (port.path("name").asText().equals(probe.path("port").asText())) {
          probePort = port.path("containerPort").asInt();
        }
      }
      assertEquals(check.getPort(), probePort, pair.getKey() + " is probed where it listens");
      assertTrue(deployment.path("spec").path("template").path("spec").path("securityContext").path("runAsNonRoot")
          .asBoolean(), pair.getKey());
    }
    assertEquals(compose.get("scheduler-2").command(), compose.get("scheduler-1").command());
    assertEquals(2, objects.get("Deployment/weft-scheduler").path("spec").path("replicas").asInt());
    URI registryUrl = URI.create(connection.get(dev.weft.connection.WeftConnection.REGISTRY_ENV));
    JsonNode registryService = objects.get("Service/" + registryUrl.getHost());
    assertNotNull(registryService, "WEFT_REGISTRY_URL names the registry's Service");
    assertEquals(registryUrl.getPort(), registryService.path("spec").path("ports").get(0).path("port").asInt());
    assertEquals(8787, objects.get("Service/weft-dashboard").path("spec").path("ports").get(0).path("port").asInt());

    // KEDA scales the workers on the lag of their group on their tasks topic: Weft's names for the default pool.
    JsonNode scaled = objects.get("ScaledObject/weft-worker");
    assertEquals("weft-worker", scaled.path("spec").path("scaleTargetRef").path("name").asText());
    JsonNode trigger = scaled.path("spec").path("triggers").get(0);
    assertEquals("kafka", trigger.path("type").asText());
    String pool = valueAfter(compose.get("worker").command(), "--pool");
    Topics topics = Topics.withDefaultPrefix();
    assertEquals(topics.workerGroup(pool), trigger.path("metadata").path("consumerGroup").asText());
    assertEquals(topics.tasks(pool), trigger.path("metadata").path("topic").asText());
    assertEquals(connection.get(dev.weft.connection.KafkaConnection.BOOTSTRAP_ENV),
        trigger.path("metadata").path("bootstrapServers").asText());
    assertTrue(Integer.parseInt(trigger.path("metadata").path("lagThreshold").asText()) > 0);
    int taskPartitions = new WeftKafkaConfig(Map.of(WeftKafkaConfig.BOOTSTRAP_SERVERS, "kafka:9092",
        WeftKafkaConfig.SCHEMA_REGISTRY_URL, "http://registry:8081")).getInt(WeftKafkaConfig.TASK_PARTITIONS);
    assertEquals(taskPartitions, scaled.path("spec").path("maxReplicaCount").asInt(),
        "no more workers than the tasks topic has partitions: another would hold none");
  }

  /** kubectl renders the kustomization (offline: no cluster is asked) to the objects the files hold. */
  @Test
  void kubectlKustomizeRendersTheExample() throws Exception {
    Assumptions.assumeTrue(succeeds("kubectl", "version", "--client"), "kubectl is not installed (no Debian package"
        + " of it to install): 'kubectl kustomize docker/k8s' is not run; the files are still read by the test above");
    Process render = new ProcessBuilder("kubectl", "kustomize", DOCKER.resolve("k8s").toString()).start();
    render.getOutputStream().close();
    String out = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(render.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(render.waitFor(1, TimeUnit.MINUTES));
    assertEquals(0, render.exitValue(), err);
    List<String> kinds = new ArrayList<>();
    for (JsonNode object : YAML.readValues(YAML.createParser(out), JsonNode.class).readAll()) {
      kinds.add(object.path("kind").asText() + "/" + object.path("metadata").path("name").asText());
      object.findValues("image").forEach(image -> assertEquals("weft:latest", image.asText(), "the image kustomize"
          + " sets: " + object));
    }
    assertEquals(Set.of("ConfigMap/weft-connection", "Deployment/weft-registry", "Service/weft-registry",
        "Deployment/weft-scheduler", "Service/weft-dashboard", "Deployment/weft-worker", "ScaledObject/weft-worker"),
        new HashSet<>(kinds));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Compose's own reading of the file

  @Test
  void dockerComposeConfigAcceptsTheFile() throws Exception {
    List<String> compose = composeCommand();
    List<String> command = new ArrayList<>(compose);
    command.addAll(List.of("--profile", "demo", "-f", COMPOSE.toString(), "config"));
    Process config = new ProcessBuilder(command).redirectErrorStream(false).start();
    config.getOutputStream().close();
    String out = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(config.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(config.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, config.exitValue(), String.join(" ", command) + ":\n" + err + out);
    JsonNode resolved = YAML.readTree(out).path("services");
    assertEquals(services().keySet(), new LinkedHashSet<>(iterable(resolved.fieldNames())),
        "compose reads every service of the file");
    assertEquals(services().get("worker").command(), strings(resolved.path("worker").path("command")));
  }

  /**
   * {@code docker compose} (the plugin) or {@code docker-compose}; Debian's docker-compose package is installed when
   * neither is there, as the interoperability tests install their tools. Its {@code config} needs no Docker engine.
   */
  private static List<String> composeCommand() throws IOException, InterruptedException {
    if (succeeds("docker", "compose", "version")) {
      return List.of("docker", "compose");
    }
    if (!succeeds("docker-compose", "version")) {
      Assumptions.assumeFalse(AptInstall.SKIP, "skipped on request (-Dweft.interop.skip=true): neither 'docker "
          + "compose' nor 'docker-compose' is installed, and this test would install Debian's docker-compose");
      AptInstall.ensure("docker-compose", "docker-compose version", "docker-compose");
    }
    return List.of("docker-compose");
  }

  private static boolean succeeds(String... command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(
          ProcessBuilder.Redirect.DISCARD).start();
      process.getOutputStream().close();
      if (!process.waitFor(1, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException notInstalled) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading the file

  /** A service of compose.yaml as the file writes it. */
  private record Service(String name, JsonNode spec) {
    boolean weft() {
      return WEFT_DOCKERFILE.equals(spec.path("build").path("dockerfile").asText(null));
    }

    /** A run-once job (submit), not a service that others wait for: it has no health to check. */
    boolean job() {
      return spec.path("healthcheck").path("disable").asBoolean(false);
    }

    /** The command, in exec form: a string would be split by compose's rules, which this test does not repeat. */
    List<String> command() {
      JsonNode command = spec.path("command");
      assertTrue(command.isArray(), name + ": command is a list of words");
      return strings(command);
    }

    List<String> healthcheck() {
      JsonNode test = spec.path("healthcheck").path("test");
      assertTrue(test.isArray(), name + ": healthcheck test is a list of words");
      return strings(test);
    }

    Map<String, String> environment() {
      JsonNode environment = spec.path("environment");
      Map<String, String> values = new LinkedHashMap<>();
      if (environment.isArray()) {
        for (JsonNode entry : environment) {
          String text = entry.asText();
          values.put(text.substring(0, text.indexOf('=')), text.substring(text.indexOf('=') + 1));
        }
      } else {
        environment.properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
      }
      return values;
    }

    Set<String> dependsOn() {
      return new LinkedHashSet<>(iterable(spec.path("depends_on").fieldNames()));
    }

    List<String> publishedPorts() {
      return strings(spec.path("ports"));
    }

    /** The ports the service listens on in its container: published, exposed, and the one its health check asks. */
    Set<Integer> containerPorts() {
      Set<Integer> ports = new LinkedHashSet<>();
      for (String published : publishedPorts()) {
        ports.add(Integer.parseInt(published.substring(published.lastIndexOf(':') + 1)));
      }
      for (String exposed : strings(spec.path("expose"))) {
        ports.add(Integer.parseInt(exposed));
      }
      if (!job()) {
        Matcher local = Pattern.compile("//127\\.0\\.0\\.1:([0-9]+)/").matcher(String.join(" ", healthcheck()));
        while (local.find()) {
          ports.add(Integer.parseInt(local.group(1)));
        }
      }
      return ports;
    }

    Duration gracePeriod() {
      Matcher seconds = Pattern.compile("([0-9]+)s").matcher(spec.path("stop_grace_period").asText(""));
      return seconds.matches() ? Duration.ofSeconds(Long.parseLong(seconds.group(1))) : DEFAULT_GRACE;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Map<String, Service> services() throws IOException {
    Map<String, Service> services = new LinkedHashMap<>();
    YAML.readTree(COMPOSE.toFile()).path("services").properties().forEach(e -> services.put(e.getKey(),
        new Service(e.getKey(), e.getValue())));
    return services;
  }

  private static List<String> strings(JsonNode node) {
    List<String> words = new ArrayList<>();
    node.forEach(word -> words.add(word.asText()));
    return words;
  }

  private static <T> List<T> iterable(java.util.Iterator<T> items) {
    List<T> list = new ArrayList<>();
    items.forEachRemaining(list::add);
    return list;
  }

  /** The word after {@code option} in a command, or null. */
  private static String valueAfter(List<String> command, String option) {
    int at = command.indexOf(option);
    return at < 0 || at + 1 >= command.size() ? null : command.get(at + 1);
  }

  /** The repository's root: surefire runs in the module's folder. */
  private static Path repositoryRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path folder = here; folder != null; folder = folder.getParent()) {
      if (Files.isRegularFile(folder.resolve("docker/compose.yaml"))) {
        return folder;
      }
    }
    throw new IllegalStateException("no docker/compose.yaml above " + here);
  }
}
