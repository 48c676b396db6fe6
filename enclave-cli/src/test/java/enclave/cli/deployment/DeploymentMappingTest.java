package enclave.cli.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.asset.AssetReference;
import enclave.cli.asset.CodeSource;
import enclave.cli.asset.EnvironmentSource;
import enclave.cli.asset.ModelSource;
import enclave.cli.console.CliException;
import enclave.cli.testing.Examples;
import enclave.cli.testing.RecordingAssets;
import enclave.cli.yaml.Overrides;
import enclave.core.Json;
import enclave.core.ResourceId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentMappingTest {
    private static final String DEFAULTS = """
            "environmentVariables":{},"instanceType":"Standard_DS3_v2",
            "requestSettings":{"requestTimeout":"PT5S","maxConcurrentRequestsPerInstance":1,"maxQueueWait":"PT0.5S"},
            "livenessProbe":{"initialDelay":"PT10S","period":"PT10S","timeout":"PT2S","successThreshold":1,"failureThreshold":30},
            "readinessProbe":{"initialDelay":"PT10S","period":"PT10S","timeout":"PT2S","successThreshold":1,"failureThreshold":30},
            "egressPublicNetworkAccess":"Enabled","appInsightsEnabled":false""";

    @TempDir
    Path temp;

    Path examples;
    RecordingAssets assets;

    @BeforeEach
    void copyExamples() {
        examples = Examples.copyWithScoringScripts(temp.resolve("online"));
        assets = new RecordingAssets();
    }

    @Test
    void sampleBlueDeploymentUploadsModelCodeAndEnvironment() throws IOException {
        JsonNode body = arm("managed/sample/blue-deployment.yml", null);

        assertThat(body).isEqualTo(json("""
                {"location":"local","tags":{},"kind":"Managed","sku":{"name":"Default","capacity":1},
                 "properties":{"endpointComputeType":"Managed","model":"model:my-endpoint-blue-model",
                   "codeConfiguration":{"codeId":"code:my-endpoint-blue-code","scoringScript":"score.py"},
                   "environmentId":"environment:my-endpoint-blue-env",
                   %s}}""".formatted(DEFAULTS)));
        assertThat(assets.models).containsExactly(new ModelSource.Local(examples.resolve("model-1/model"), Optional.empty(), Optional.empty(),
                "custom_model", Optional.empty(), Map.of()));
        assertThat(assets.codes).containsExactly(new CodeSource.Local(examples.resolve("model-1/onlinescoring")));
        assertThat(assets.environments).containsExactly(new EnvironmentSource.Inline("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
                Optional.of(Files.readString(examples.resolve("model-1/environment/conda.yaml"))), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Map.of()));
    }

    @Test
    void sampleGreenDeploymentUsesModelTwo() {
        JsonNode body = arm("managed/sample/green-deployment.yml", null);

        assertThat(body.at("/properties/model").asText()).isEqualTo("model:my-endpoint-green-model");
        assertThat(((ModelSource.Local) assets.models.getFirst()).path()).isEqualTo(examples.resolve("model-2/model"));
        assertThat(assets.codes).containsExactly(new CodeSource.Local(examples.resolve("model-2/onlinescoring")));
    }

    @Test
    void registeredAssetsAreReferences() {
        JsonNode blue = arm("managed/sample/blue-deployment-with-registered-assets.yml", null);
        assertThat(blue.at("/properties/model").asText()).isEqualTo("model:my-endpoint-blue-model");
        assertThat(blue.at("/properties/environmentId").asText()).isEqualTo("environment:my-endpoint-blue-env");
        assertThat(assets.models).containsExactly(new ModelSource.Registered(new AssetReference.Named("my-model", Optional.of("1"))));
        assertThat(assets.environments).containsExactly(new EnvironmentSource.Registered(new AssetReference.Named("my-env", Optional.of("1"))));

        arm("managed/sample/green-deployment-with-registered-assets.yml", null);
        assertThat(assets.models).last().isEqualTo(new ModelSource.Registered(new AssetReference.Named("my-model", Optional.of("2"))));
    }

    @ParameterizedTest
    @CsvSource({"managed/sample/blue-deployment-with-curated-env.yml", "managed/sample/green-deployment-with-curated-env.yml"})
    void registryEnvironmentsAreRefusedWithAWayOut(String example) {
        assertThatThrownBy(() -> arm(example, null))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("UserError"))
                .hasMessage("environment 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest' refers to an Azure ML "
                        + "registry; registries are not available in Enclave: define the environment in the file with conda_file and image instead");
        assertThat(assets.models).isEmpty();
    }

    @Test
    void managedIdentityDeploymentsNeedTheEndpointFromTheCommandLine() {
        assertThatThrownBy(() -> arm("managed/managed-identities/2-sai-deployment.yml", null))
                .hasMessage("endpoint name is required: set endpoint_name in the file or pass -e ENDPOINT");

        JsonNode sai = arm("managed/managed-identities/2-sai-deployment.yml", "my-sai-endpoint");
        assertThat(sai).isEqualTo(json("""
                {"location":"local","tags":{},"kind":"Managed","sku":{"name":"Default","capacity":1},
                 "properties":{"endpointComputeType":"Managed","model":"model:my-sai-endpoint-blue-model",
                   "codeConfiguration":{"codeId":"code:my-sai-endpoint-blue-code","scoringScript":"score_managedidentity.py"},
                   "environmentId":"environment:my-sai-endpoint-blue-env",
                   %s}}""".formatted(DEFAULTS.replace("\"environmentVariables\":{}", """
                "environmentVariables":{"STORAGE_ACCOUNT_NAME":"storage_place_holder","STORAGE_CONTAINER_NAME":"container_place_holder",
                  "FILE_NAME":"file_place_holder"}"""))));

        JsonNode uai = arm("managed/managed-identities/2-uai-deployment.yml", "my-uai-endpoint");
        assertThat(uai.at("/properties/environmentVariables/UAI_CLIENT_ID").asText()).isEqualTo("uai_client_id_place_holder");
        assertThat(((EnvironmentSource.Inline) assets.environments.getLast()).condaFile().orElseThrow()).contains("azure-identity");
    }

    @Test
    void vnetSampleHasASingleFileModelAndNoEgress() {
        JsonNode body = arm("managed/vnet/sample/blue-deployment-vnet.yml", null);

        assertThat(body).isEqualTo(json("""
                {"location":"local","tags":{},"kind":"Managed","sku":{"name":"Default","capacity":1},
                 "properties":{"endpointComputeType":"Managed","model":"model:placeholder-name-blue-model",
                   "codeConfiguration":{"codeId":"code:placeholder-name-blue-code","scoringScript":"score.py"},
                   "environmentId":"environment:placeholder-name-blue-env",
                   %s}}""".formatted(DEFAULTS.replace("Standard_DS3_v2", "Standard_F2s_v2")
                .replace("\"egressPublicNetworkAccess\":\"Enabled\"", "\"egressPublicNetworkAccess\":\"Disabled\""))));
        assertThat(((ModelSource.Local) assets.models.getFirst()).path())
                .isEqualTo(examples.resolve("managed/vnet/sample/model/sklearn_regression_model.pkl"));
        EnvironmentSource.Inline environment = (EnvironmentSource.Inline) assets.environments.getFirst();
        assertThat(environment.condaFile()).isEmpty();
        assertThat(environment.image()).isEqualTo("placeholder.azurecr.io/repo/img:v1");
        assertThat(environment.inferenceConfig().orElseThrow()).isEqualTo(json("""
                {"livenessRoute":{"port":5001,"path":"/"},"readinessRoute":{"port":5001,"path":"/"},"scoringRoute":{"port":5001,"path":"/score"}}"""));
    }

    @Test
    void vnetMlflowDeploymentHasNoCode() {
        JsonNode body = arm("managed/vnet/mlflow/blue-deployment-vnet.yml", null);

        assertThat(body.at("/properties").has("codeConfiguration")).isFalse();
        assertThat(body.at("/properties/environmentVariables")).isEqualTo(json("{\"MLFLOW_MODEL_FOLDER\":\"model\"}"));
        assertThat(body.at("/properties/egressPublicNetworkAccess").asText()).isEqualTo("Disabled");
        assertThat(((ModelSource.Local) assets.models.getFirst()).path()).isEqualTo(examples.resolve("managed/vnet/mlflow/model"));
    }

    @Test
    void tritonDeploymentKeepsItsModelNameVersionAndType() {
        JsonNode body = arm("triton/single-model/create-managed-deployment.yaml", null);

        assertThat(body.at("/sku/capacity").asInt()).isEqualTo(1);
        assertThat(body.at("/properties/instanceType").asText()).isEqualTo("STANDARD_NC4AS_T4_V3");
        assertThat(body.at("/properties").has("environmentId")).isFalse();
        assertThat(assets.models).containsExactly(new ModelSource.Local(examples.resolve("triton/single-model/models"),
                Optional.of("sample-densenet-onnx-model"), Optional.of("1"), "triton_model", Optional.empty(), Map.of()));
    }

    @Test
    void examplesAsShippedLackTheirScoringFolderAndFailBeforeAnythingIsSent() {
        Path reference = Examples.reference();
        Path file = reference.resolve("managed/sample/blue-deployment.yml");

        assertThatThrownBy(() -> OnlineDeploymentCommands.definition(Optional.empty(), file, null, null, List.of(), temp))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("UserError"))
                .hasMessage("code_configuration.code '../../model-1/onlinescoring/' does not exist (resolved to "
                        + reference.resolve("model-1/onlinescoring") + ")");
    }

    @Test
    void missingModelPathNamesTheResolvedPath() throws IOException {
        Path file = deploymentFile("model:\n  path: ../../x\n");
        assertThatThrownBy(() -> definition(file))
                .hasMessage("model.path '../../x' does not exist (resolved to " + file.getParent().resolve("../../x").normalize() + ")");
    }

    @Test
    void scoringScriptMustExistInTheCodeFolder() throws IOException {
        Files.createDirectories(temp.resolve("code"));
        Path file = deploymentFile("""
                code_configuration:
                  code: code
                  scoring_script: score.py
                environment:
                  image: python:3.12
                """);
        assertThatThrownBy(() -> definition(file))
                .hasMessage("code_configuration.scoring_script 'score.py' does not exist in code (resolved to "
                        + temp.resolve("code/score.py") + ")");
    }

    @Test
    void condaFileMustExist() throws IOException {
        Path file = deploymentFile("environment:\n  image: python:3.12\n  conda_file: env/conda.yml\n");
        assertThatThrownBy(() -> definition(file))
                .hasMessage("environment.conda_file 'env/conda.yml' does not exist (resolved to " + temp.resolve("env/conda.yml") + ")");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "instance_count: 0|instance_count must be at least 1, not 0",
        "request_settings: {request_timeout_ms: 180001}|request_settings.request_timeout_ms must be from 1 to 180000",
        "request_settings: {max_concurrent_requests_per_instance: 0}|max_concurrent_requests_per_instance must be at least 1",
        "liveness_probe: {success_threshold: 2}|liveness_probe.success_threshold must be 1",
        "readiness_probe: {period: 0}|readiness_probe.period and readiness_probe.timeout must be at least 1 second",
        "egress_public_network_access: closed|egress_public_network_access 'closed' is not valid",
        "type: kubernetes|type 'kubernetes' is not supported",
        "model: azureml://registries/azureml/models/x/versions/1|refers to an Azure ML registry",
        "model: not a reference|model 'not a reference' is not a reference like azureml:<name>:<version>",
        "environment: {conda_file: conda.yml}|environment.image is required",
        "environment: {image: x, build: {path: docker}}|environment.build is not supported",
    })
    void invalidValuesAreRejected(String line, String message) throws IOException {
        Path file = deploymentFile(line + "\n");
        assertThatThrownBy(() -> definition(file)).isInstanceOf(CliException.class).hasMessageContaining(message);
    }

    @Test
    void deploymentNamesAreChecked() throws IOException {
        Path file = deploymentFile("");
        assertThatThrownBy(() -> OnlineDeploymentCommands.definition(Optional.empty(), file, "b_lue", null, List.of(), temp))
                .hasMessageContaining("deployment name 'b_lue' is invalid");
        assertThatThrownBy(() -> OnlineDeploymentCommands.definition(Optional.empty(), file, null, "e", List.of(), temp))
                .hasMessageContaining("endpoint name 'e' is invalid");
    }

    @Test
    void everySettingMapsToArm() throws IOException {
        Files.createDirectories(temp.resolve("src"));
        Files.writeString(temp.resolve("src/main.py"), "def init(): pass\n");
        Files.writeString(temp.resolve("conda.yml"), "name: x\n");
        Files.writeString(temp.resolve("model.bin"), "weights");
        Path file = deploymentFile("""
                description: every field
                tags: {stage: test}
                model:
                  path: model.bin
                  name: my-model
                  version: 7
                  type: mlflow_model
                  description: weights
                code_configuration: {code: src, scoring_script: main.py}
                environment: {image: python:3.12, conda_file: conda.yml, name: my-env, version: 2}
                instance_type: Standard_F4s_v2
                instance_count: 3
                request_settings: {request_timeout_ms: 3000, max_concurrent_requests_per_instance: 4, max_queue_wait_ms: 1500}
                liveness_probe: {initial_delay: 5, period: 3, timeout: 1, success_threshold: 1, failure_threshold: 4}
                readiness_probe: {initial_delay: 0, period: 90, timeout: 10, success_threshold: 2, failure_threshold: 5}
                environment_variables: {MODE: fast, WORKERS: 2}
                app_insights_enabled: true
                private_network_connection: true
                scale_settings: {type: target_utilization, min_instances: 1, max_instances: 5, polling_interval: 10, target_utilization_percentage: 70}
                data_collector: {collections: {model_inputs: {enabled: 'True'}}}
                type: managed
                """);

        JsonNode body = DeploymentMapping.toArm(definition(file), assets, "local");

        assertThat(body).isEqualTo(json("""
                {"location":"local","tags":{"stage":"test"},"kind":"Managed","sku":{"name":"Default","capacity":3},
                 "properties":{"endpointComputeType":"Managed","description":"every field","model":"model:my-endpoint-blue-model",
                   "codeConfiguration":{"codeId":"code:my-endpoint-blue-code","scoringScript":"main.py"},
                   "environmentId":"environment:my-endpoint-blue-env",
                   "environmentVariables":{"MODE":"fast","WORKERS":"2"},"instanceType":"Standard_F4s_v2",
                   "requestSettings":{"requestTimeout":"PT3S","maxConcurrentRequestsPerInstance":4,"maxQueueWait":"PT1.5S"},
                   "livenessProbe":{"initialDelay":"PT5S","period":"PT3S","timeout":"PT1S","successThreshold":1,"failureThreshold":4},
                   "readinessProbe":{"initialDelay":"PT0S","period":"PT1M30S","timeout":"PT10S","successThreshold":2,"failureThreshold":5},
                   "egressPublicNetworkAccess":"Disabled","appInsightsEnabled":true,
                   "scaleSettings":{"scaleType":"TargetUtilization","minInstances":1,"maxInstances":5,"pollingInterval":"PT10S",
                     "targetUtilizationPercentage":70}}}"""));
        assertThat(assets.models).containsExactly(new ModelSource.Local(temp.resolve("model.bin"), Optional.of("my-model"), Optional.of("7"),
                "mlflow_model", Optional.of("weights"), Map.of()));
        EnvironmentSource.Inline environment = (EnvironmentSource.Inline) assets.environments.getFirst();
        assertThat(environment.name()).contains("my-env");
        assertThat(environment.version()).contains("2");
    }

    @Test
    void setChangesYamlFieldsBeforeConversion() {
        Path file = examples.resolve("managed/sample/blue-deployment.yml");
        Deployment deployment = OnlineDeploymentCommands.definition(Optional.empty(), file, null, null, Overrides.parse(List.of(
                "instance_count=2", "request_settings.request_timeout_ms=3000", "environment_variables.DEBUG=true",
                "description=tuned")), temp);

        JsonNode body = DeploymentMapping.toArm(deployment, assets, "local");

        assertThat(body.at("/sku/capacity").asInt()).isEqualTo(2);
        assertThat(body.at("/properties/requestSettings/requestTimeout").asText()).isEqualTo("PT3S");
        assertThat(body.at("/properties/requestSettings/maxQueueWait").asText()).isEqualTo("PT0.5S");
        assertThat(body.at("/properties/environmentVariables/DEBUG").asText()).isEqualTo("true");
        assertThat(body.at("/properties/description").asText()).isEqualTo("tuned");
    }

    @Test
    void setOfAnUnknownFieldIsRefused() {
        Path file = examples.resolve("managed/sample/blue-deployment.yml");
        assertThatThrownBy(() -> OnlineDeploymentCommands.definition(Optional.empty(), file, null, null,
                Overrides.parse(List.of("request_settings.timeout=3")), temp))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("UnknownField"))
                .hasMessage("after --set: unknown field 'timeout' in request_settings; allowed: "
                        + "max_concurrent_requests_per_instance, max_queue_wait_ms, request_timeout_ms");
    }

    @Test
    void serverDeploymentRoundTripsWithAssetIds() {
        String ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
        JsonNode fromServer = json("""
                {"name":"blue","location":"local","tags":{},"kind":"Managed","sku":{"name":"Default","capacity":2},
                 "properties":{"endpointComputeType":"Managed","model":"%1$s/models/m/versions/3",
                   "codeConfiguration":{"codeId":"%1$s/codes/c/versions/1","scoringScript":"score.py"},
                   "environmentId":"%1$s/environments/e/versions/2",%2$s,
                   "provisioningState":"Succeeded","enclave":{"instances":[],"restarts":0}}}""".formatted(ws, DEFAULTS));

        ObjectNode yaml = DeploymentMapping.toYaml(fromServer, "my-endpoint");
        Deployment deployment = OnlineDeploymentCommands.definition(Optional.of(yaml), null, null, null,
                Overrides.parse(List.of("instance_count=4")), temp);
        JsonNode body = DeploymentMapping.toArm(deployment, assets, "local");

        assertThat(body).isEqualTo(json("""
                {"location":"local","tags":{},"kind":"Managed","sku":{"name":"Default","capacity":4},
                 "properties":{"endpointComputeType":"Managed","model":"model:my-endpoint-blue-model",
                   "codeConfiguration":{"codeId":"code:my-endpoint-blue-code","scoringScript":"score.py"},
                   "environmentId":"environment:my-endpoint-blue-env",%s}}""".formatted(DEFAULTS)));
        assertThat(assets.models).containsExactly(new ModelSource.Registered(
                new AssetReference.ArmId(ResourceId.parse(ws + "/models/m/versions/3"))));
        assertThat(assets.codes).containsExactly(new CodeSource.Registered(
                new AssetReference.ArmId(ResourceId.parse(ws + "/codes/c/versions/1"))));
    }

    private JsonNode arm(String example, String endpoint) {
        Deployment deployment = OnlineDeploymentCommands.definition(Optional.empty(), examples.resolve(example), null, endpoint, List.of(), temp);
        return DeploymentMapping.toArm(deployment, assets, "local");
    }

    private Path deploymentFile(String fields) throws IOException {
        return Files.writeString(temp.resolve("deployment.yml"), "name: blue\nendpoint_name: my-endpoint\n" + fields);
    }

    private Deployment definition(Path file) {
        return OnlineDeploymentCommands.definition(Optional.empty(), file, null, null, List.of(), temp);
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
