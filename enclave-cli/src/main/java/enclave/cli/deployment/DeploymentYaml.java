package enclave.cli.deployment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.Map;

/** A {@code deployment.yml} as Azure ML CLI v2 writes it (managedOnlineDeployment schema). Fields may be null. */
public record DeploymentYaml(
        @JsonProperty("$schema") String schema,
        @JsonProperty("name") String name,
        @JsonProperty("endpoint_name") String endpointName,
        @JsonProperty("description") String description,
        @JsonProperty("tags") Map<String, String> tags,
        @JsonProperty("model") Model model,
        @JsonProperty("code_configuration") CodeConfiguration codeConfiguration,
        @JsonProperty("environment") Environment environment,
        @JsonProperty("instance_type") String instanceType,
        @JsonProperty("instance_count") Integer instanceCount,
        @JsonProperty("request_settings") RequestSettings requestSettings,
        @JsonProperty("liveness_probe") Probe livenessProbe,
        @JsonProperty("readiness_probe") Probe readinessProbe,
        @JsonProperty("environment_variables") Map<String, String> environmentVariables,
        @JsonProperty("app_insights_enabled") Boolean appInsightsEnabled,
        @JsonProperty("egress_public_network_access") String egressPublicNetworkAccess,
        @JsonProperty("private_network_connection") Boolean privateNetworkConnection,
        @JsonProperty("scale_settings") ScaleSettings scaleSettings,
        @JsonProperty("data_collector") JsonNode dataCollector,
        @JsonProperty("type") String type) {

    /** {@code model:} either a reference string ({@code azureml:name:version}, an ARM id) or an inline model. */
    @JsonDeserialize(using = Model.Reader.class)
    public record Model(String reference, InlineModel inline) {
        static final class Reader extends StdDeserializer<Model> {
            Reader() {
                super(Model.class);
            }

            @Override
            public Model deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                if (parser.currentToken() == JsonToken.VALUE_STRING) {
                    return new Model(parser.getText(), null);
                }
                if (parser.currentToken() == JsonToken.START_OBJECT) {
                    return new Model(null, context.readValue(parser, InlineModel.class));
                }
                throw MismatchedInputException.from(parser, Model.class,
                        "expected a mapping (path, name, version, type) or a reference like azureml:my-model:1");
            }
        }
    }

    public record InlineModel(
            @JsonProperty("path") String path,
            @JsonProperty("name") String name,
            @JsonProperty("version") String version,
            @JsonProperty("type") String type,
            @JsonProperty("description") String description,
            @JsonProperty("tags") Map<String, String> tags) {}

    public record CodeConfiguration(
            @JsonProperty("code") String code,
            @JsonProperty("scoring_script") String scoringScript) {}

    /** {@code environment:} either a reference string or an inline environment. */
    @JsonDeserialize(using = Environment.Reader.class)
    public record Environment(String reference, InlineEnvironment inline) {
        static final class Reader extends StdDeserializer<Environment> {
            Reader() {
                super(Environment.class);
            }

            @Override
            public Environment deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                if (parser.currentToken() == JsonToken.VALUE_STRING) {
                    return new Environment(parser.getText(), null);
                }
                if (parser.currentToken() == JsonToken.START_OBJECT) {
                    return new Environment(null, context.readValue(parser, InlineEnvironment.class));
                }
                throw MismatchedInputException.from(parser, Environment.class,
                        "expected a mapping (image, conda_file) or a reference like azureml:my-env:1");
            }
        }
    }

    public record InlineEnvironment(
            @JsonProperty("name") String name,
            @JsonProperty("version") String version,
            @JsonProperty("description") String description,
            @JsonProperty("tags") Map<String, String> tags,
            @JsonProperty("image") String image,
            @JsonProperty("conda_file") String condaFile,
            @JsonProperty("inference_config") InferenceConfig inferenceConfig,
            @JsonProperty("build") JsonNode build,
            @JsonProperty("os_type") String osType) {}

    public record InferenceConfig(
            @JsonProperty("liveness_route") Route livenessRoute,
            @JsonProperty("readiness_route") Route readinessRoute,
            @JsonProperty("scoring_route") Route scoringRoute) {}

    public record Route(@JsonProperty("port") Integer port, @JsonProperty("path") String path) {}

    public record RequestSettings(
            @JsonProperty("request_timeout_ms") Integer requestTimeoutMs,
            @JsonProperty("max_concurrent_requests_per_instance") Integer maxConcurrentRequestsPerInstance,
            @JsonProperty("max_queue_wait_ms") Integer maxQueueWaitMs) {}

    public record Probe(
            @JsonProperty("initial_delay") Integer initialDelay,
            @JsonProperty("period") Integer period,
            @JsonProperty("timeout") Integer timeout,
            @JsonProperty("success_threshold") Integer successThreshold,
            @JsonProperty("failure_threshold") Integer failureThreshold) {}

    public record ScaleSettings(
            @JsonProperty("type") String type,
            @JsonProperty("min_instances") Integer minInstances,
            @JsonProperty("max_instances") Integer maxInstances,
            @JsonProperty("polling_interval") Integer pollingInterval,
            @JsonProperty("target_utilization_percentage") Integer targetUtilizationPercentage) {}
}
