package enclave.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.testing.Examples;
import enclave.cli.testing.FakeEnclave;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's HTTP flows against {@link FakeEnclave}: TLS trusting the home's CA, tokens per audience,
 * long-running operations with stages, uploads and asset registration, scoring. The lead's end-to-end tests
 * cover the same commands against the real server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliAgainstFakeServerTest {
    private static final String WS = "/subscriptions/" + FakeEnclave.SUBSCRIPTION
            + "/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1";

    Path home;
    Path examples;
    FakeEnclave server;

    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            return FakeEnclave.parse(out);
        }
    }

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        home = Files.createDirectories(temp.resolve("home"));
        examples = Examples.copyWithScoringScripts(temp.resolve("online"));
        server = FakeEnclave.start(home);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    @Order(1)
    void statusAndWorkspaceSetUp() {
        Run status = run("status");
        assertThat(status.json().path("state").asText()).isEqualTo("running");
        assertThat(status.json().path("subscriptionId").asText()).isEqualTo(FakeEnclave.SUBSCRIPTION);

        assertThat(run("group", "create", "-n", "rg1").json().path("location").asText()).isEqualTo("local");
        assertThat(server.lastPut).containsKey("/subscriptions/" + FakeEnclave.SUBSCRIPTION + "/resourcegroups/rg1");
        assertThat(run("configure", "--defaults", "group=rg1", "workspace=ws1").exitCode()).isZero();
        Run workspace = run("ml", "workspace", "create", "-n", "ws1", "--description", "test", "--tags", "team=ml");
        assertThat(workspace.exitCode()).isZero();
        assertThat(server.lastPut.get(WS)).isEqualTo(FakeEnclave.parse("""
                {"location":"local","tags":{"team":"ml"},"properties":{"description":"test","friendlyName":"ws1"}}"""));
    }

    @Test
    @Order(2)
    void endpointCreateWaitsForTheOperationAndShowsStages() {
        Run create = run("ml", "online-endpoint", "create", "-f", examples.resolve("managed/sample/endpoint.yml").toString());

        assertThat(create.exitCode()).isZero();
        assertThat(create.json().path("properties").path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(create.err()).isEqualTo("creating endpoint my-endpoint...\nCreating...\n");
        assertThat(server.lastPut.get(WS + "/onlineEndpoints/my-endpoint").at("/properties/authMode").asText()).isEqualTo("Key");
    }

    @Test
    @Order(3)
    void deploymentCreateUploadsRegistersDeploysAndTakesAllTraffic() throws Exception {
        Run create = run("ml", "online-deployment", "create", "-f", examples.resolve("managed/sample/blue-deployment.yml").toString(),
                "--all-traffic");

        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.json().path("name").asText()).isEqualTo("blue");
        assertThat(create.err()).contains("uploading model (1 file, ", "registering model my-endpoint-blue-model:1",
                "uploading code (2 files, ", "registering code my-endpoint-blue-code:1", "registering environment my-endpoint-blue-env:1",
                "creating deployment blue...", "Starting workers...", "all traffic of endpoint my-endpoint goes to blue");

        JsonNode model = server.lastPut.get(WS + "/models/my-endpoint-blue-model/versions/1");
        String modelUri = model.at("/properties/modelUri").asText();
        assertThat(modelUri).matches("azureml://datastores/workspaceblobstore/paths/LocalUpload/[0-9a-f]{64}/model/");
        assertThat(model.at("/properties/modelType").asText()).isEqualTo("custom_model");
        String blobPath = "/stfake/azureml-blobstore/" + modelUri.substring("azureml://datastores/workspaceblobstore/paths/".length())
                + "sklearn_regression_model.pkl";
        assertThat(server.blobs.get(blobPath)).isEqualTo(Files.readAllBytes(examples.resolve("model-1/model/sklearn_regression_model.pkl")));
        assertThat(server.blobs).containsKey("/stfake/azureml-blobstore");
        assertThat(server.lastPut.get(WS + "/environments/my-endpoint-blue-env/versions/1").at("/properties/condaFile").asText())
                .isEqualTo(Files.readString(examples.resolve("model-1/environment/conda.yaml")));

        JsonNode deployment = server.lastPut.get(WS + "/onlineEndpoints/my-endpoint/deployments/blue");
        assertThat(deployment.at("/properties/model").asText()).isEqualTo(WS + "/models/my-endpoint-blue-model/versions/1");
        assertThat(deployment.at("/properties/codeConfiguration/codeId").asText()).isEqualTo(WS + "/codes/my-endpoint-blue-code/versions/1");
        assertThat(deployment.at("/properties/environmentId").asText()).isEqualTo(WS + "/environments/my-endpoint-blue-env/versions/1");
        assertThat(server.lastPut.get(WS + "/onlineEndpoints/my-endpoint").at("/properties/traffic"))
                .isEqualTo(FakeEnclave.parse("{\"blue\":100}"));
    }

    @Test
    @Order(4)
    void unchangedContentReusesTheRegisteredVersionsWithoutUploading() {
        int blobsBefore = (int) server.requests.stream().filter(r -> r.startsWith("PUT /stfake/")).count();

        Run again = run("ml", "online-deployment", "create", "-f", examples.resolve("managed/sample/blue-deployment.yml").toString());

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).contains("model my-endpoint-blue-model:1 is unchanged", "code my-endpoint-blue-code:1 is unchanged",
                "environment my-endpoint-blue-env:1 is unchanged");
        assertThat(server.requests.stream().filter(r -> r.startsWith("PUT /stfake/")).count()).isEqualTo(blobsBefore);
        assertThat(server.lastPut).doesNotContainKey(WS + "/models/my-endpoint-blue-model/versions/2");
    }

    @Test
    @Order(5)
    void credentialsAndInvoke() {
        assertThat(run("ml", "online-endpoint", "get-credentials", "-n", "my-endpoint", "--query", "primaryKey", "-o", "tsv").out())
                .isEqualTo(FakeEnclave.PRIMARY_KEY + "\n");

        Run invoke = run("ml", "online-endpoint", "invoke", "-n", "my-endpoint", "-r",
                examples.resolve("model-1/sample-request.json").toString(), "--deployment-name", "blue");
        assertThat(invoke.exitCode()).as(invoke.err()).isZero();
        assertThat(invoke.json().path("deployment").asText()).isEqualTo("blue");
        assertThat(invoke.json().path("request").path("data").isArray()).isTrue();

        assertThat(run("ml", "online-endpoint", "regenerate-keys", "-n", "my-endpoint", "--key-type", "secondary").exitCode()).isZero();
        assertThat(server.requests).contains("POST " + WS + "/onlineEndpoints/my-endpoint/regenerateKeys?api-version=2024-04-01");
    }

    @Test
    @Order(6)
    void trafficUpdateAndSetOnWhatExists() {
        Run traffic = run("ml", "online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=100", "--set", "description=updated");
        assertThat(traffic.exitCode()).as(traffic.err()).isZero();
        assertThat(server.lastPut.get(WS + "/onlineEndpoints/my-endpoint").at("/properties/description").asText()).isEqualTo("updated");

        Run wrongSum = run("ml", "online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=90 green=5");
        assertThat(wrongSum.exitCode()).isEqualTo(1);
        assertThat(wrongSum.err()).startsWith("ERROR: (InvalidTraffic) traffic weights must add up to 100");

        Run scale = run("ml", "online-deployment", "update", "-n", "blue", "-e", "my-endpoint", "--set", "instance_count=3");
        assertThat(scale.exitCode()).as(scale.err()).isZero();
        JsonNode put = server.lastPut.get(WS + "/onlineEndpoints/my-endpoint/deployments/blue");
        assertThat(put.at("/sku/capacity").asInt()).isEqualTo(3);
        assertThat(put.at("/properties/model").asText()).isEqualTo(WS + "/models/my-endpoint-blue-model/versions/1");
    }

    @Test
    @Order(7)
    void failedOperationPrintsItsMessageAndExitsOne() {
        server.failingDeployments.add("green");
        Run create = run("ml", "online-deployment", "create", "-f", examples.resolve("managed/sample/green-deployment.yml").toString());

        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(create.out()).isEmpty();
        assertThat(create.err()).endsWith("ERROR: (DeploymentFailed) init() raised ValueError\n--- last lines of the log ---\n"
                + "Traceback (most recent call last):\nValueError: boom\n");
    }

    @Test
    @Order(8)
    void logsListsAndTables() {
        assertThat(run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "my-endpoint", "--lines", "5").out())
                .isEqualTo("Booting worker\nListening on socket\n");
        assertThat(server.requests).contains("POST " + WS + "/onlineEndpoints/my-endpoint/deployments/blue/getLogs?api-version=2024-04-01");

        assertThat(run("ml", "online-endpoint", "logs", "-n", "my-endpoint", "--lines", "1").out()).isEqualTo("""
                Time                  Deployment  ResponseCode
                --------------------  ----------  ------------
                2026-11-23T10:00:00Z  blue        200
                """);
        assertThat(server.requests).contains("GET " + WS + "/onlineEndpoints/my-endpoint/trafficLogs?top=1&api-version=2024-04-01");

        assertThat(run("ml", "online-endpoint", "list", "--query", "[].name", "-o", "tsv").out()).isEqualTo("my-endpoint\n");
        assertThat(run("ml", "online-deployment", "list", "-e", "my-endpoint", "-o", "table").out())
                .startsWith("Name  Kind     InstanceType     InstanceCount  ProvisioningState\n");
    }

    @Test
    @Order(9)
    void referencesToMissingAssetsFailBeforeDeploying() {
        Run create = run("ml", "online-deployment", "create", "-f",
                examples.resolve("managed/sample/blue-deployment-with-registered-assets.yml").toString(), "-n", "orange");
        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(create.err()).isEqualTo("ERROR: (ResourceNotFound) model 'my-model' version 1 does not exist in workspace 'ws1'; "
                + "upload it with model.path in the deployment file or register it first\n");
        assertThat(server.lastPut).doesNotContainKey(WS + "/onlineEndpoints/my-endpoint/deployments/orange");
    }

    @Test
    @Order(10)
    void deleteWaitsForTheOperation() {
        Run delete = run("ml", "online-endpoint", "delete", "-n", "my-endpoint", "-y");
        assertThat(delete.exitCode()).as(delete.err()).isZero();
        assertThat(server.resources).doesNotContainKey(WS + "/onlineEndpoints/my-endpoint");
        Run show = run("ml", "online-endpoint", "show", "-n", "my-endpoint");
        assertThat(show.exitCode()).isEqualTo(1);
        assertThat(show.err()).startsWith("ERROR: (ResourceNotFound) no resource at ");
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("ENCLAVE_HOME", home.toString()));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

}
