package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Azure's own Python SDKs (Debian's python3-azure: azure-mgmt-machinelearningservices, azure-mgmt-storage, azure-storage-blob)
 * drive Enclave unchanged, pointed at its management URL: endpoint create/get/list/keys/regenerate/delete with the SDK's own
 * long-running-operation polling, then asset registration, a deployment and a scoring call.
 * The script is {@code src/test/resources/azure-sdk/online_endpoints.py}; it prints a JSON summary that this test checks.
 */
class AzureSdkTest {
    /** Debian's interpreter, which has python3-azure; the first python3 on PATH may be another one. */
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static final String GROUP = "sdk-rg";
    private static final String WORKSPACE = "sdk-ws";

    private static TestServer enclave;
    private static String workspaceId;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path output;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        assertThat(enclave.mgmt("PUT", "/subscriptions/" + enclave.subscription() + "/resourcegroups/" + GROUP, "{}").statusCode()).isIn(200, 201);
        workspaceId = "/subscriptions/" + enclave.subscription() + "/resourceGroups/" + GROUP + "/providers/Microsoft.MachineLearningServices/workspaces/"
                + WORKSPACE;
        assertThat(enclave.mgmt("PUT", workspaceId, "{}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void theMachineLearningSdkManagesAnEndpointDeploysAModelAndItScores() throws Exception {
        String endpoint = "sdk-ep";
        JsonNode summary = runScript(endpoint, "--model-dir", EXAMPLES.resolve("model-1/model").toString(),
                "--code-dir", EXAMPLES.resolve("model-1/onlinescoring").toString(),
                "--conda-file", EXAMPLES.resolve("model-1/environment/conda.yaml").toString(),
                "--request-file", EXAMPLES.resolve("model-1/sample-request.json").toString());

        assertThat(summary.get("sdkVersion").asText()).isNotBlank();
        JsonNode created = summary.get("created");
        assertThat(created.get("name").asText()).isEqualTo(endpoint);
        assertThat(created.get("location").asText()).isEqualTo("local");
        assertThat(created.get("authMode").asText()).isEqualTo("Key");
        assertThat(created.get("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(created.get("scoringUri").asText()).isEqualTo(enclave.server.scoringUri(endpoint));
        JsonNode fetched = summary.get("fetched");
        assertThat(fetched.at("/tags/created-by").asText()).isEqualTo("azure-sdk");
        assertThat(fetched.get("description").asText()).isEqualTo("created with azure-mgmt-machinelearningservices");
        assertThat(strings(summary.get("listed"))).contains(endpoint);

        JsonNode keys = summary.get("keys");
        assertThat(keys.get("primaryPresent").asBoolean()).isTrue();
        assertThat(keys.get("secondaryPresent").asBoolean()).isTrue();
        assertThat(keys.get("primaryChanged").asBoolean()).as("primary key after begin_regenerate_keys").isTrue();
        assertThat(keys.get("secondaryUnchanged").asBoolean()).isTrue();

        assertThat(strings(summary.get("uploaded"))).anyMatch(name -> name.endsWith("/model/sklearn_regression_model.pkl"))
                .anyMatch(name -> name.endsWith("/code/score.py"));
        assertThat(summary.at("/assets/code").asText()).isEqualTo(workspaceId + "/codes/sdk-code/versions/1");
        assertThat(summary.at("/assets/model").asText()).isEqualTo(workspaceId + "/models/sdk-model/versions/1");
        assertThat(summary.at("/assets/environment").asText()).isEqualTo(workspaceId + "/environments/sdk-env/versions/1");
        assertThat(summary.at("/deployment/name").asText()).isEqualTo("blue");
        assertThat(summary.at("/deployment/provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(summary.at("/traffic/blue").asInt()).isEqualTo(100);

        JsonNode score = summary.get("score");
        assertThat(score.get("status").asInt()).as(score.toString()).isEqualTo(200);
        assertThat(score.get("deployment").asText()).isEqualTo("blue");
        assertThat(score.at("/body/0").asDouble()).isCloseTo(11055.977245525679, offset(1e-6));
        JsonNode replacedKey = summary.get("scoreWithReplacedKey");
        assertThat(replacedKey.get("status").asInt()).as(replacedKey.toString()).isEqualTo(401);
        assertThat(replacedKey.at("/body/error/code").asText()).isEqualTo("AuthenticationFailed");

        assertThat(summary.at("/afterDelete/status").asInt()).isEqualTo(404);
        assertThat(summary.at("/afterDelete/code").asText()).isEqualTo("EndpointNotFound");
        assertThat(strings(summary.get("listedAfterDelete"))).doesNotContain(endpoint);
        // The server agrees: the endpoint and its deployment are gone.
        assertThat(enclave.mgmt("GET", workspaceId + "/onlineEndpoints/" + endpoint, null).statusCode()).isEqualTo(404);
        assertThat(json(enclave.mgmt("GET", workspaceId + "/onlineEndpoints", null)).get("value")).isEmpty();
    }

    /** Runs the SDK script against the test server and returns its JSON summary; fails with its output if it fails. */
    private JsonNode runScript(String endpoint, String... extraArguments) throws Exception {
        Path script = Path.of(AzureSdkTest.class.getResource("/azure-sdk/online_endpoints.py").toURI());
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString(),
                "--management-url", enclave.server.managementUrl(),
                "--admin-file", enclave.home.resolve("admin.json").toString(),
                "--ca-file", enclave.server.caFile().toString(),
                "--resource-group", GROUP,
                "--workspace", WORKSPACE,
                "--endpoint", endpoint));
        command.addAll(List.of(extraArguments));
        Path stdout = output.resolve("sdk.out");
        Path stderr = output.resolve("sdk.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Only 127.0.0.1 is talked to: no proxy, and no other interpreter's packages.
        builder.environment().keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy") || name.startsWith("PYTHON"));
        Process process = builder.start();
        boolean finished = process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        assertThat(finished).as("%s finished within %s; stderr:%n%s", script.getFileName(), SCRIPT_TIMEOUT, Files.readString(stderr)).isTrue();
        assertThat(process.exitValue()).as("exit code of %s; stdout:%n%s%nstderr:%n%s", script.getFileName(), Files.readString(stdout),
                Files.readString(stderr)).isZero();
        return Json.MAPPER.readTree(stdout.toFile());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
