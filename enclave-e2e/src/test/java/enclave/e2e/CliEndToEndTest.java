package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation story end to end, as the README tells it: the CLI creates the hierarchy, an endpoint and deployments from
 * Azure ML's own YAML files, and real HTTPS clients score the user's unchanged {@code score.py} through the gateway.
 * One server for the class; each test makes its own endpoint unless it continues the sample story (ordered).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final Path SAMPLE = EXAMPLES.resolve("managed/sample");
    private static final String REQUEST = EXAMPLES.resolve("model-1/sample-request.json").toString();

    private static TestServer enclave;
    private static Cli cli;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.useNewWorkspace("rg1", "ws1");
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    // ---- the sample story (README walk-through) ----

    @Test
    @Order(1)
    void theSampleEndpointAndBlueDeploymentServePredictions() throws Exception {
        JsonNode endpoint = cli.run("ml", "online-endpoint", "create", "-f", SAMPLE.resolve("endpoint.yml").toString()).ok().json();
        assertThat(endpoint.at("/properties/authMode").asText()).isEqualTo("Key");

        Cli.Result created = cli.run("ml", "online-deployment", "create", "-f", SAMPLE.resolve("blue-deployment.yml").toString(), "--all-traffic").ok();
        assertThat(created.json().at("/properties/provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(created.err()).contains("uploading").contains("initializing").contains("probing");

        String prediction = cli.run("ml", "online-endpoint", "invoke", "-n", "my-endpoint", "-r", REQUEST).ok().out();
        JsonNode values = Json.MAPPER.readTree(prediction);
        assertThat(values.get(0).asDouble()).isCloseTo(11055.977245525679, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(values.get(1).asDouble()).isCloseTo(4503.079536107787, org.assertj.core.data.Offset.offset(1e-6));

        String logs = cli.run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "my-endpoint", "--lines", "50").ok().out();
        assertThat(logs).contains("model loaded from").contains("Init complete");
        assertThat(cli.run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "my-endpoint", "--lines", "1").ok().out().strip().lines()).hasSize(1);
    }

    @Test
    @Order(2)
    void theScoringUriWorksAsPrintedWithTheKeyAndRefusesWithout() throws Exception {
        String uri = cli.run("ml", "online-endpoint", "show", "-n", "my-endpoint", "--query", "properties.scoringUri", "-o", "tsv").ok().out().strip();
        String key = cli.run("ml", "online-endpoint", "get-credentials", "-n", "my-endpoint", "--query", "primaryKey", "-o", "tsv").ok().out().strip();
        assertThat(uri).isEqualTo(enclave.server.scoringUri("my-endpoint"));
        assertThat(key).doesNotContain("\"").hasSizeGreaterThan(20);

        String body = Files.readString(Path.of(REQUEST));
        HttpResponse<String> ok = enclave.score("my-endpoint", key, body, Map.of("x-ms-client-request-id", "my-trace-1"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-ms-client-request-id")).hasValue("my-trace-1");
        assertThat(ok.headers().firstValue("x-request-id")).isPresent();

        for (String wrong : new String[] {null, "not-a-key", key + "x"}) {
            HttpResponse<String> refused = enclave.score("my-endpoint", wrong, body, Map.of());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(TestServer.json(refused).at("/error/code").asText()).isEqualTo("AuthenticationFailed");
        }
    }

    @Test
    @Order(3)
    void regeneratingAKeyStopsItAtOnceAndKeepsTheOther() throws Exception {
        JsonNode before = cli.run("ml", "online-endpoint", "get-credentials", "-n", "my-endpoint").ok().json();
        cli.run("ml", "online-endpoint", "regenerate-keys", "-n", "my-endpoint", "--key-type", "primary").ok();
        JsonNode after = cli.run("ml", "online-endpoint", "get-credentials", "-n", "my-endpoint").ok().json();
        String body = Files.readString(Path.of(REQUEST));

        assertThat(after.get("primaryKey").asText()).isNotEqualTo(before.get("primaryKey").asText());
        assertThat(enclave.score("my-endpoint", before.get("primaryKey").asText(), body, Map.of()).statusCode()).isEqualTo(401);
        assertThat(enclave.score("my-endpoint", after.get("primaryKey").asText(), body, Map.of()).statusCode()).isEqualTo(200);
        assertThat(enclave.score("my-endpoint", before.get("secondaryKey").asText(), body, Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void trafficSplitsByWeightAndTheHeaderPinsADeployment() throws Exception {
        cli.run("ml", "online-deployment", "create", "-f", SAMPLE.resolve("green-deployment.yml").toString()).ok();
        String key = key("my-endpoint");
        String body = Files.readString(Path.of(REQUEST));

        HttpResponse<String> pinned = enclave.score("my-endpoint", key, body, Map.of("azureml-model-deployment", "green"));
        assertThat(pinned.body()).isEqualTo("[0.5, 0.5]");

        cli.run("ml", "online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=50 green=50").ok();
        Map<String, Integer> counts = countDeployments("my-endpoint", key, body, 200);
        assertThat(counts.keySet()).containsExactlyInAnyOrder("blue", "green");
        // Binomial(200, 0.5): below 60 is more than five standard deviations away.
        assertThat(counts.get("blue")).isGreaterThan(60);
        assertThat(counts.get("green")).isGreaterThan(60);

        cli.run("ml", "online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=90 green=10").ok();
        Map<String, Integer> skewed = countDeployments("my-endpoint", key, body, 200);
        assertThat(skewed.get("blue")).isGreaterThan(150);
        assertThat(skewed.getOrDefault("green", 0)).isBetween(1, 45);
    }

    @Test
    @Order(5)
    void mirroredTrafficReachesTheShadowWithoutChangingResponses() throws Exception {
        cli.run("ml", "online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=100 green=0", "--mirror-traffic", "green=50").ok();
        String key = key("my-endpoint");
        String body = Files.readString(Path.of(REQUEST));
        Map<String, Integer> counts = countDeployments("my-endpoint", key, body, 40);
        assertThat(counts).containsOnlyKeys("blue");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode logs = cli.run("ml", "online-endpoint", "logs", "-n", "my-endpoint", "--lines", "500", "-o", "json").ok().json();
            long mirrored = 0;
            for (JsonNode record : logs) {
                if (record.path("mirrored").asBoolean() && record.path("deploymentName").asText().equals("green")) {
                    mirrored++;
                }
            }
            assertThat(mirrored).isBetween(5L, 35L);
        });
        cli.run("ml", "online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=100 green=0", "--mirror-traffic", "green=0").ok();
    }

    @Test
    @Order(6)
    void everyScoringRequestLeavesATrafficLogRecord() throws Exception {
        HttpResponse<String> scored = enclave.score("my-endpoint", key("my-endpoint"), Files.readString(Path.of(REQUEST)),
                Map.of("x-ms-client-request-id", "traffic-log-probe", "User-Agent", "enclave-test/1.0"));
        String requestId = scored.headers().firstValue("x-request-id").orElseThrow();
        JsonNode logs = cli.run("ml", "online-endpoint", "logs", "-n", "my-endpoint", "--lines", "20", "-o", "json").ok().json();
        JsonNode record = null;
        for (JsonNode candidate : logs) {
            if (candidate.path("xRequestId").asText().equals(requestId)) {
                record = candidate;
            }
        }
        assertThat(record).as("traffic log record for " + requestId).isNotNull();
        assertThat(record.get("endpointName").asText()).isEqualTo("my-endpoint");
        assertThat(record.get("deploymentName").asText()).isEqualTo("blue");
        assertThat(record.get("responseCode").asInt()).isEqualTo(200);
        assertThat(record.get("authMode").asText()).isEqualTo("key");
        assertThat(record.get("identity").asText()).startsWith("key:");
        assertThat(record.get("xMsClientRequestId").asText()).isEqualTo("traffic-log-probe");
        assertThat(record.get("userAgent").asText()).isEqualTo("enclave-test/1.0");
        assertThat(record.get("requestPayloadSize").asLong()).isEqualTo(Files.size(Path.of(REQUEST)));
        assertThat(record.get("responsePayloadSize").asLong()).isEqualTo(scored.body().length());
        assertThat(record.get("mirrored").asBoolean()).isFalse();
        assertThat(record.has("totalDurationMs")).isTrue();
        assertThat(cli.run("ml", "online-endpoint", "logs", "-n", "my-endpoint", "--lines", "3", "-o", "table").ok().out()).contains(requestId);
    }

    @Test
    @Order(7)
    void aDeploymentWithTrafficCannotBeDeletedButOneWithoutCan() throws Exception {
        Cli.Result refused = cli.run("ml", "online-deployment", "delete", "-n", "blue", "-e", "my-endpoint", "-y");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("DeploymentHasTraffic");

        long greenPid = pidOf("my-endpoint", "green");
        cli.run("ml", "online-deployment", "delete", "-n", "green", "-e", "my-endpoint", "-y").ok();
        assertThat(cli.run("ml", "online-deployment", "list", "-e", "my-endpoint", "--query", "[].name", "-o", "tsv").ok().out().strip()).isEqualTo("blue");
        awaitGone(greenPid);
    }

    @Test
    @Order(8)
    void outputFormatsAndQueriesWorkOnEveryCommand() throws Exception {
        assertThat(cli.run("ml", "online-endpoint", "list", "--query", "[].name", "-o", "tsv").ok().out()).contains("my-endpoint");
        assertThat(cli.run("ml", "online-endpoint", "show", "-n", "my-endpoint", "-o", "yaml").ok().out()).contains("authMode: Key");
        assertThat(cli.run("ml", "workspace", "show", "-n", "ws1", "-o", "table").ok().out()).contains("ws1").contains("Succeeded");
        assertThat(cli.run("group", "list", "-o", "tsv", "--query", "[].name").ok().out().strip()).isEqualTo("rg1");
        assertThat(cli.run("ml", "online-deployment", "show", "-n", "blue", "-e", "my-endpoint", "--query", "sku.capacity", "-o", "tsv").ok().out().strip())
                .isEqualTo("1");
    }

    // ---- bad input: a clear error and nothing left behind ----

    @Test
    void unknownFieldsAreNamedWithTheirLineAndNothingIsCreated() throws Exception {
        Path yaml = write("bad-endpoint.yml", "name: typo-endpoint\nauth_mode: key\nauht_mode: key\n");
        Cli.Result result = cli.run("ml", "online-endpoint", "create", "-f", yaml.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("UnknownField").contains("line 3").contains("auht_mode");
        assertThat(cli.run("ml", "online-endpoint", "show", "-n", "typo-endpoint").exit()).isEqualTo(1);
    }

    @Test
    void malformedYamlAndWrongTypesAreRefused() throws Exception {
        Cli.Result malformed = cli.run("ml", "online-endpoint", "create", "-f", write("malformed.yml", "name: [unclosed\n").toString());
        assertThat(malformed.exit()).isEqualTo(1);
        assertThat(malformed.err()).contains("InvalidYaml");
        Path wrongType = write("wrong-type.yml", Toolbox.deploymentYaml("wt-endpoint", "wt", 1, "").replace("instance_count: 1", "instance_count: many"));
        Cli.Result result = cli.run("ml", "online-deployment", "create", "-f", wrongType.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("instance_count");
    }

    @Test
    void invalidNamesAreRefused() throws Exception {
        Cli.Result result = cli.run("ml", "online-endpoint", "create", "-n", "9-starts-with-digit");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("InvalidResourceName");
        assertThat(cli.run("ml", "online-endpoint", "list", "--query", "[].name", "-o", "tsv").ok().out()).doesNotContain("9-starts");
    }

    @Test
    void aMissingModelPathIsRefusedBeforeAnythingIsUploaded() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "missing-path").ok();
        Path yaml = write("missing.yml", Toolbox.deploymentYaml("missing-path", "blue", 1, "").replace(EXAMPLES.resolve("model-1/model").toString(), "/nope/model"));
        Cli.Result result = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("/nope/model").contains("does not exist");
        assertThat(cli.run("ml", "online-deployment", "list", "-e", "missing-path").ok().json().size()).isZero();
    }

    @Test
    void trafficNamingAMissingDeploymentIsRefused() {
        cli.run("ml", "online-endpoint", "create", "-n", "traffic-check").ok();
        Cli.Result result = cli.run("ml", "online-endpoint", "update", "-n", "traffic-check", "--traffic", "ghost=100");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("InvalidTraffic").contains("ghost");
    }

    // ---- workers: failures, limits, instances ----

    @Test
    void anExceptionInRunIsA500WithTheMessageAndInTheLog() throws Exception {
        String key = deployToolbox("run-fails", 1, "");
        HttpResponse<String> response = enclave.score("run-fails", key, "{\"action\":\"raise\",\"detail\":\"the cat sat on it\"}", Map.of());
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("ValueError").contains("the cat sat on it");
        assertThat(response.headers().firstValue("ms-azureml-model-error-statuscode")).hasValue("500");
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                cli.run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "run-fails").ok().out()).contains("Traceback").contains("the cat sat on it"));
    }

    @Test
    void aFailingInitFailsTheDeploymentWithTheLogTail() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "init-fails").ok();
        Path yaml = write("init-fails.yml", Toolbox.deploymentYaml("init-fails", "blue", 1, "environment_variables:\n  TOOLBOX_FAIL_INIT: \"1\"\n"));
        Cli.Result result = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("ScoringScriptInitFailed").contains("loading weights from the moon").contains("the moon is out of reach");
        assertThat(cli.run("ml", "online-deployment", "show", "-n", "blue", "-e", "init-fails", "--query", "properties.provisioningState", "-o", "tsv")
                .ok().out().strip()).isEqualTo("Failed");
        assertThat(cli.run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "init-fails").ok().out()).contains("loading weights from the moon");
    }

    @Test
    void aCondaDependencyTheInterpreterLacksIsNamedAtCreateTime() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "conda-missing").ok();
        Path conda = write("conda-missing.yml", "name: env\ndependencies:\n  - python=3.11\n  - numpy\n  - pip:\n    - definitely-not-a-real-package==1.0\n");
        Path yaml = write("conda-missing-deployment.yml", Toolbox.deploymentYaml("conda-missing", "blue", 1, "", conda));
        Cli.Result result = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("MissingPythonPackage").contains("definitely-not-a-real-package");
    }

    @Test
    void instancesRunSideBySide() throws Exception {
        String key = deployToolbox("two-instances", 2, "");
        Set<String> pids = new HashSet<>();
        for (int i = 0; i < 40 && pids.size() < 2; i++) {
            pids.add(TestServer.json(enclave.score("two-instances", key, "{\"action\":\"pid\"}", Map.of())).get("pid").asText());
        }
        assertThat(pids).hasSize(2);
        JsonNode shown = cli.run("ml", "online-deployment", "show", "-n", "blue", "-e", "two-instances").ok().json();
        assertThat(shown.at("/properties/enclave/instances")).hasSize(2);
    }

    @Test
    void requestTimeoutIs408AndOverloadIs429() throws Exception {
        String key = deployToolbox("limits", 1, "request_settings:\n  request_timeout_ms: 500\n  max_concurrent_requests_per_instance: 1\n  max_queue_wait_ms: 0\n");
        HttpResponse<String> slow = enclave.score("limits", key, "{\"action\":\"sleep\",\"seconds\":2}", Map.of());
        assertThat(slow.statusCode()).isEqualTo(408);

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Integer>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(() -> enclave.score("limits", key, "{\"action\":\"sleep\",\"seconds\":0.4}", Map.of()).statusCode());
            }
            Map<Integer, Integer> statuses = new HashMap<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.merge(f.get(), 1, Integer::sum);
            }
            assertThat(statuses.get(200)).isGreaterThanOrEqualTo(1);
            assertThat(statuses.get(429)).isGreaterThanOrEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCrashedWorkerIsRestartedAndTheDeploymentShowsIt() throws Exception {
        String key = deployToolbox("crashes", 1, "liveness_probe:\n  initial_delay: 1\n  period: 1\n");
        long before = pidOf("crashes", "blue");
        HttpResponse<String> crash = enclave.score("crashes", key, "{\"action\":\"crash\"}", Map.of());
        assertThat(crash.statusCode()).isIn(502, 500);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> enclave.score("crashes", key, "{\"action\":\"pid\"}", Map.of()).statusCode() == 200);
        assertThat(pidOf("crashes", "blue")).isNotEqualTo(before);
        JsonNode shown = cli.run("ml", "online-deployment", "show", "-n", "blue", "-e", "crashes").ok().json();
        assertThat(shown.at("/properties/enclave/restarts").asInt()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void environmentVariablesReachTheScoringCode() throws Exception {
        String key = deployToolbox("env-vars", 1, "environment_variables:\n  GREETING: hello from yaml\n");
        assertThat(TestServer.json(enclave.score("env-vars", key, "{\"action\":\"env\",\"name\":\"GREETING\"}", Map.of())).get("value").asText())
                .isEqualTo("hello from yaml");
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        String key = deployToolbox("big-body", 1, "");
        HttpResponse<String> response = enclave.score("big-body", key, "{\"pad\":\"" + "x".repeat(17 * 1024 * 1024) + "\"}", Map.of());
        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void updatingAndDeletingResources() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "to-delete").ok();
        cli.run("ml", "online-endpoint", "update", "-n", "to-delete", "--set", "description=changed by set").ok();
        assertThat(cli.run("ml", "online-endpoint", "show", "-n", "to-delete", "--query", "properties.description", "-o", "tsv").ok().out().strip())
                .isEqualTo("changed by set");
        cli.run("ml", "workspace", "update", "-n", "ws1", "--description", "the test workspace").ok();
        assertThat(cli.run("ml", "workspace", "show", "-n", "ws1", "--query", "properties.description", "-o", "tsv").ok().out().strip())
                .isEqualTo("the test workspace");

        String key = deployToolbox("to-delete", 1, "");
        long pid = pidOf("to-delete", "blue");
        cli.run("ml", "online-deployment", "update", "-n", "blue", "-e", "to-delete", "--set", "instance_count=2").ok();
        assertThat(cli.run("ml", "online-deployment", "show", "-n", "blue", "-e", "to-delete", "--query", "sku.capacity", "-o", "tsv").ok().out().strip())
                .isEqualTo("2");
        assertThat(enclave.score("to-delete", key, "{\"action\":\"pid\"}", Map.of()).statusCode()).isEqualTo(200);
        awaitGone(pid);

        long newPid = pidOf("to-delete", "blue");
        cli.run("ml", "online-endpoint", "delete", "-n", "to-delete", "-y").ok();
        assertThat(cli.run("ml", "online-endpoint", "show", "-n", "to-delete").exit()).isEqualTo(1);
        assertThat(enclave.score("to-delete", key, "{}", Map.of()).statusCode()).isEqualTo(404);
        awaitGone(newPid);
    }

    @Test
    void deletingAWorkspaceStopsItsEndpointsWorkers() throws Exception {
        cli.run("ml", "workspace", "create", "-n", "ws-doomed", "-g", "rg1").ok();
        cli.run("ml", "online-endpoint", "create", "-n", "doomed-ep", "-w", "ws-doomed").ok();
        Path yaml = write("doomed.yml", Toolbox.deploymentYaml("doomed-ep", "blue", 1, ""));
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "-w", "ws-doomed", "--all-traffic").ok();
        String key = cli.run("ml", "online-endpoint", "get-credentials", "-n", "doomed-ep", "-w", "ws-doomed", "--query", "primaryKey", "-o", "tsv")
                .ok().out().strip();
        long pid = cli.run("ml", "online-deployment", "show", "-n", "blue", "-e", "doomed-ep", "-w", "ws-doomed").ok().json()
                .at("/properties/enclave/instances").get(0).get("pid").asLong();
        assertThat(enclave.score("doomed-ep", key, "{}", Map.of()).statusCode()).isEqualTo(200);

        cli.run("ml", "workspace", "delete", "-n", "ws-doomed", "-y").ok();
        HttpResponse<String> gone = enclave.score("doomed-ep", key, "{}", Map.of());
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(gone).at("/error/code").asText()).isEqualTo("EndpointNotFound");
        awaitGone(pid);
        assertThat(cli.run("ml", "workspace", "show", "-n", "ws-doomed").exit()).isEqualTo(1);
    }

    // ---- helpers ----

    /** Creates endpoint {@code name} and a toolbox deployment {@code blue} with all traffic; returns the primary key. */
    private String deployToolbox(String name, int instances, String extraYaml) throws IOException {
        Toolbox.deploy(cli, files, name, instances, extraYaml);
        return key(name);
    }

    private static String key(String endpoint) {
        return cli.run("ml", "online-endpoint", "get-credentials", "-n", endpoint, "--query", "primaryKey", "-o", "tsv").ok().out().strip();
    }

    private static Path write(String name, String content) throws IOException {
        return Files.writeString(files.resolve(name), content);
    }

    private static Map<String, Integer> countDeployments(String endpoint, String key, String body, int requests) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = enclave.score(endpoint, key, body, Map.of());
            assertThat(response.statusCode()).isEqualTo(200);
            counts.merge(response.headers().firstValue("azureml-model-deployment").orElseThrow(), 1, Integer::sum);
        }
        return counts;
    }

    private static long pidOf(String endpoint, String deployment) throws IOException {
        JsonNode instances = cli.run("ml", "online-deployment", "show", "-n", deployment, "-e", endpoint).ok().json().at("/properties/enclave/instances");
        return instances.get(0).get("pid").asLong();
    }

    private static void awaitGone(long pid) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }
}
