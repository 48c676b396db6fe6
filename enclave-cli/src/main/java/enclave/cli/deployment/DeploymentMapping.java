package enclave.cli.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.asset.AssetResolver;
import enclave.cli.asset.CodeSource;
import enclave.cli.asset.EnvironmentSource;
import enclave.cli.asset.ModelSource;
import enclave.cli.console.CliException;
import enclave.cli.endpoint.EndpointMapping;
import enclave.cli.yaml.Durations;
import enclave.core.EnclaveException;
import enclave.core.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Deployment YAML ↔ ARM. {@link #validate} resolves local paths against the YAML file's folder and checks
 * everything before anything is sent; {@link #toArm} asks an {@link AssetResolver} for the asset version
 * ids and writes the ARM body; {@link #toYaml} turns a deployment from the server back into YAML names.
 */
public final class DeploymentMapping {
    public static final String DEFAULT_INSTANCE_TYPE = "Standard_DS3_v2";
    private static final long MAX_REQUEST_TIMEOUT_MS = 180_000;
    private static final Map<String, String> MODEL_TYPES = Map.of(
            "custom_model", "custom_model", "mlflow_model", "mlflow_model", "triton_model", "triton_model");
    private static final Map<String, String> NETWORK_ACCESS = Map.of("enabled", "Enabled", "disabled", "Disabled");

    private DeploymentMapping() {}

    public static Deployment validate(DeploymentYaml yaml, Path baseDir) {
        String name = online("deployment", yaml.name(), "set name in the file or pass -n NAME");
        String endpointName = online("endpoint", yaml.endpointName(), "set endpoint_name in the file or pass -e ENDPOINT");
        if (yaml.type() != null && !yaml.type().equalsIgnoreCase("managed")) {
            throw CliException.user("type '" + yaml.type() + "' is not supported: Enclave runs managed online deployments (type: managed)");
        }

        Optional<ModelSource> model = Optional.ofNullable(yaml.model()).map(m -> model(m, baseDir));
        Optional<Deployment.CodeConfiguration> code = Optional.ofNullable(yaml.codeConfiguration()).map(c -> code(c, baseDir));
        Optional<EnvironmentSource> environment = Optional.ofNullable(yaml.environment()).map(e -> environment(e, baseDir));
        if (code.isPresent() && environment.isEmpty()) {
            throw CliException.user("environment is required with code_configuration: give the image and conda_file the scoring script runs with");
        }

        int instanceCount = yaml.instanceCount() == null ? 1 : yaml.instanceCount();
        if (instanceCount < 1) {
            throw CliException.user("instance_count must be at least 1, not " + instanceCount);
        }
        String instanceType = yaml.instanceType() == null || yaml.instanceType().isBlank() ? DEFAULT_INSTANCE_TYPE : yaml.instanceType().strip();

        DeploymentYaml.RequestSettings settings = yaml.requestSettings();
        long timeout = value(settings == null ? null : settings.requestTimeoutMs(), 5000);
        if (timeout < 1 || timeout > MAX_REQUEST_TIMEOUT_MS) {
            throw CliException.user("request_settings.request_timeout_ms must be from 1 to " + MAX_REQUEST_TIMEOUT_MS + ", not " + timeout);
        }
        int concurrency = (int) value(settings == null ? null : settings.maxConcurrentRequestsPerInstance(), 1);
        if (concurrency < 1) {
            throw CliException.user("request_settings.max_concurrent_requests_per_instance must be at least 1, not " + concurrency);
        }
        long queueWait = value(settings == null ? null : settings.maxQueueWaitMs(), 500);
        if (queueWait < 0) {
            throw CliException.user("request_settings.max_queue_wait_ms must not be negative");
        }

        Deployment.Probe liveness = probe("liveness_probe", yaml.livenessProbe());
        if (liveness.successThreshold() != 1) {
            throw CliException.user("liveness_probe.success_threshold must be 1 (Azure ML allows no other value)");
        }
        Deployment.Probe readiness = probe("readiness_probe", yaml.readinessProbe());

        String egress = EndpointMapping.choice("egress_public_network_access", yaml.egressPublicNetworkAccess(), NETWORK_ACCESS, "enabled");
        if (Boolean.TRUE.equals(yaml.privateNetworkConnection())) {
            if (yaml.egressPublicNetworkAccess() != null && egress.equals("Enabled")) {
                throw CliException.user("private_network_connection: true contradicts egress_public_network_access: enabled");
            }
            egress = "Disabled";
        }

        return new Deployment(name, endpointName, Optional.ofNullable(yaml.description()), orEmpty(yaml.tags()),
                model, code, environment, instanceType, instanceCount,
                new Deployment.RequestSettings(timeout, concurrency, queueWait), liveness, readiness,
                orEmpty(yaml.environmentVariables()), Boolean.TRUE.equals(yaml.appInsightsEnabled()), egress,
                Optional.ofNullable(yaml.scaleSettings()).map(DeploymentMapping::scale));
    }

    /** The ARM body; the resolver turns model, code and environment into registered version ids. */
    public static ObjectNode toArm(Deployment deployment, AssetResolver assets, String location) {
        String prefix = deployment.endpointName() + "-" + deployment.name();
        Optional<String> modelId = deployment.model().map(model -> assets.model(model, prefix + "-model"));
        Optional<String> codeId = deployment.code().map(code -> assets.code(code.code(), prefix + "-code"));
        Optional<String> environmentId = deployment.environment().map(environment -> assets.environment(environment, prefix + "-env"));

        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("location", location);
        body.set("tags", strings(deployment.tags()));
        body.put("kind", "Managed");
        body.putObject("sku").put("name", "Default").put("capacity", deployment.instanceCount());
        ObjectNode properties = body.putObject("properties");
        properties.put("endpointComputeType", "Managed");
        deployment.description().ifPresent(description -> properties.put("description", description));
        modelId.ifPresent(id -> properties.put("model", id));
        codeId.ifPresent(id -> properties.putObject("codeConfiguration")
                .put("codeId", id)
                .put("scoringScript", deployment.code().orElseThrow().scoringScript()));
        environmentId.ifPresent(id -> properties.put("environmentId", id));
        properties.set("environmentVariables", strings(deployment.environmentVariables()));
        properties.put("instanceType", deployment.instanceType());
        Deployment.RequestSettings settings = deployment.requestSettings();
        properties.putObject("requestSettings")
                .put("requestTimeout", Durations.millis(settings.requestTimeoutMs()))
                .put("maxConcurrentRequestsPerInstance", settings.maxConcurrentRequestsPerInstance())
                .put("maxQueueWait", Durations.millis(settings.maxQueueWaitMs()));
        properties.set("livenessProbe", probe(deployment.livenessProbe()));
        properties.set("readinessProbe", probe(deployment.readinessProbe()));
        properties.put("egressPublicNetworkAccess", deployment.egressPublicNetworkAccess());
        properties.put("appInsightsEnabled", deployment.appInsightsEnabled());
        deployment.scaleSettings().ifPresent(scale -> {
            ObjectNode node = properties.putObject("scaleSettings").put("scaleType", scale.scaleType());
            scale.minInstances().ifPresent(v -> node.put("minInstances", v));
            scale.maxInstances().ifPresent(v -> node.put("maxInstances", v));
            scale.pollingInterval().ifPresent(v -> node.put("pollingInterval", Durations.seconds(v)));
            scale.targetUtilizationPercentage().ifPresent(v -> node.put("targetUtilizationPercentage", v));
        });
        return body;
    }

    /** A deployment resource from the server in YAML names; assets stay as the version ids they are. */
    public static ObjectNode toYaml(JsonNode arm, String endpointName) {
        ObjectNode yaml = JsonNodeFactory.instance.objectNode();
        JsonNode properties = arm.path("properties");
        yaml.put("name", arm.path("name").asText());
        yaml.put("endpoint_name", endpointName);
        text(properties, "description").ifPresent(v -> yaml.put("description", v));
        if (arm.path("tags").isObject()) {
            yaml.set("tags", arm.get("tags").deepCopy());
        }
        text(properties, "model").ifPresent(v -> yaml.put("model", v));
        JsonNode code = properties.path("codeConfiguration");
        if (code.isObject()) {
            ObjectNode node = yaml.putObject("code_configuration");
            text(code, "codeId").ifPresent(v -> node.put("code", v));
            text(code, "scoringScript").ifPresent(v -> node.put("scoring_script", v));
        }
        text(properties, "environmentId").ifPresent(v -> yaml.put("environment", v));
        text(properties, "instanceType").ifPresent(v -> yaml.put("instance_type", v));
        if (arm.path("sku").path("capacity").isNumber()) {
            yaml.put("instance_count", arm.path("sku").path("capacity").asInt());
        }
        JsonNode settings = properties.path("requestSettings");
        if (settings.isObject()) {
            ObjectNode node = yaml.putObject("request_settings");
            Durations.toMillis(settings.get("requestTimeout")).ifPresent(v -> node.put("request_timeout_ms", v));
            if (settings.path("maxConcurrentRequestsPerInstance").isNumber()) {
                node.put("max_concurrent_requests_per_instance", settings.get("maxConcurrentRequestsPerInstance").asInt());
            }
            Durations.toMillis(settings.get("maxQueueWait")).ifPresent(v -> node.put("max_queue_wait_ms", v));
        }
        probeToYaml(properties.path("livenessProbe"), yaml, "liveness_probe");
        probeToYaml(properties.path("readinessProbe"), yaml, "readiness_probe");
        if (properties.path("environmentVariables").isObject()) {
            yaml.set("environment_variables", properties.get("environmentVariables").deepCopy());
        }
        if (properties.path("appInsightsEnabled").isBoolean()) {
            yaml.put("app_insights_enabled", properties.get("appInsightsEnabled").asBoolean());
        }
        text(properties, "egressPublicNetworkAccess").ifPresent(v -> yaml.put("egress_public_network_access", v.toLowerCase(Locale.ROOT)));
        JsonNode scale = properties.path("scaleSettings");
        if (scale.isObject() && scale.hasNonNull("scaleType")) {
            ObjectNode node = yaml.putObject("scale_settings");
            node.put("type", scale.get("scaleType").asText().equalsIgnoreCase("TargetUtilization") ? "target_utilization" : "default");
            if (scale.path("minInstances").isNumber()) {
                node.put("min_instances", scale.get("minInstances").asInt());
            }
            if (scale.path("maxInstances").isNumber()) {
                node.put("max_instances", scale.get("maxInstances").asInt());
            }
            Durations.toSeconds(scale.get("pollingInterval")).ifPresent(v -> node.put("polling_interval", v));
            if (scale.path("targetUtilizationPercentage").isNumber()) {
                node.put("target_utilization_percentage", scale.get("targetUtilizationPercentage").asInt());
            }
        }
        return yaml;
    }

    private static ModelSource model(DeploymentYaml.Model model, Path baseDir) {
        if (model.reference() != null) {
            return ModelSource.reference("model", model.reference());
        }
        DeploymentYaml.InlineModel inline = model.inline();
        if (inline.path() == null || inline.path().isBlank()) {
            if (inline.name() != null && inline.version() != null) {
                return ModelSource.reference("model", "azureml:" + inline.name() + ":" + inline.version());
            }
            throw CliException.user("model.path is required (a local file or folder), or refer to a registered model with model: azureml:<name>:<version>");
        }
        Path path = existing("model.path", inline.path(), baseDir);
        Optional<String> name = Optional.ofNullable(inline.name()).map(n -> assetName("model", n));
        String type = EndpointMapping.choice("model.type", inline.type(), MODEL_TYPES, "custom_model");
        return new ModelSource.Local(path, name, Optional.ofNullable(inline.version()).map(v -> version("model.version", v)), type,
                Optional.ofNullable(inline.description()), orEmpty(inline.tags()));
    }

    private static Deployment.CodeConfiguration code(DeploymentYaml.CodeConfiguration code, Path baseDir) {
        if (code.code() == null || code.code().isBlank()) {
            throw CliException.user("code_configuration.code is required: the folder holding the scoring script");
        }
        if (code.scoringScript() == null || code.scoringScript().isBlank()) {
            throw CliException.user("code_configuration.scoring_script is required: the scoring script's path inside code_configuration.code");
        }
        if (isReference(code.code())) {
            return new Deployment.CodeConfiguration(CodeSource.reference("code_configuration.code", code.code()), code.scoringScript());
        }
        Path folder = existing("code_configuration.code", code.code(), baseDir);
        if (!Files.isDirectory(folder)) {
            throw CliException.user("code_configuration.code '" + code.code() + "' must be a folder (resolved to " + folder + ")");
        }
        Path script = folder.resolve(code.scoringScript()).normalize();
        if (!script.startsWith(folder)) {
            throw CliException.user("code_configuration.scoring_script '" + code.scoringScript() + "' must be inside code_configuration.code");
        }
        if (!Files.isRegularFile(script)) {
            throw CliException.user("code_configuration.scoring_script '" + code.scoringScript() + "' does not exist in "
                    + code.code() + " (resolved to " + script + ")");
        }
        return new Deployment.CodeConfiguration(new CodeSource.Local(folder), code.scoringScript());
    }

    private static EnvironmentSource environment(DeploymentYaml.Environment environment, Path baseDir) {
        if (environment.reference() != null) {
            return EnvironmentSource.reference("environment", environment.reference());
        }
        DeploymentYaml.InlineEnvironment inline = environment.inline();
        if (inline.build() != null) {
            throw CliException.user("environment.build is not supported: Enclave does not build images; give environment.image and environment.conda_file");
        }
        if (inline.image() == null || inline.image().isBlank()) {
            throw CliException.user("environment.image is required, e.g. mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest");
        }
        Optional<String> conda = Optional.empty();
        if (inline.condaFile() != null) {
            Path file = existing("environment.conda_file", inline.condaFile(), baseDir);
            if (!Files.isRegularFile(file)) {
                throw CliException.user("environment.conda_file '" + inline.condaFile() + "' must be a file (resolved to " + file + ")");
            }
            try {
                conda = Optional.of(Files.readString(file));
            } catch (IOException e) {
                throw CliException.user("cannot read environment.conda_file " + file + ": " + e.getMessage());
            }
        }
        return new EnvironmentSource.Inline(inline.image().strip(), conda,
                Optional.ofNullable(inline.inferenceConfig()).map(DeploymentMapping::inferenceConfig),
                Optional.ofNullable(inline.name()).map(n -> assetName("environment", n)),
                Optional.ofNullable(inline.version()).map(v -> version("environment.version", v)),
                Optional.ofNullable(inline.description()), orEmpty(inline.tags()));
    }

    private static JsonNode inferenceConfig(DeploymentYaml.InferenceConfig config) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        route(node, "livenessRoute", config.livenessRoute());
        route(node, "readinessRoute", config.readinessRoute());
        route(node, "scoringRoute", config.scoringRoute());
        return node;
    }

    private static void route(ObjectNode config, String name, DeploymentYaml.Route route) {
        if (route == null) {
            return;
        }
        ObjectNode node = config.putObject(name);
        if (route.port() != null) {
            node.put("port", route.port());
        }
        if (route.path() != null) {
            node.put("path", route.path());
        }
    }

    private static Deployment.Probe probe(String field, DeploymentYaml.Probe probe) {
        Deployment.Probe defaults = new Deployment.Probe(10, 10, 2, 1, 30);
        if (probe == null) {
            return defaults;
        }
        Deployment.Probe result = new Deployment.Probe(
                (int) value(probe.initialDelay(), defaults.initialDelay()),
                (int) value(probe.period(), defaults.period()),
                (int) value(probe.timeout(), defaults.timeout()),
                (int) value(probe.successThreshold(), defaults.successThreshold()),
                (int) value(probe.failureThreshold(), defaults.failureThreshold()));
        if (result.initialDelay() < 0) {
            throw CliException.user(field + ".initial_delay must not be negative");
        }
        if (result.period() < 1 || result.timeout() < 1) {
            throw CliException.user(field + ".period and " + field + ".timeout must be at least 1 second");
        }
        if (result.successThreshold() < 1 || result.failureThreshold() < 1) {
            throw CliException.user(field + ".success_threshold and " + field + ".failure_threshold must be at least 1");
        }
        return result;
    }

    private static ObjectNode probe(Deployment.Probe probe) {
        return JsonNodeFactory.instance.objectNode()
                .put("initialDelay", Durations.seconds(probe.initialDelay()))
                .put("period", Durations.seconds(probe.period()))
                .put("timeout", Durations.seconds(probe.timeout()))
                .put("successThreshold", probe.successThreshold())
                .put("failureThreshold", probe.failureThreshold());
    }

    private static void probeToYaml(JsonNode probe, ObjectNode yaml, String field) {
        if (!probe.isObject()) {
            return;
        }
        ObjectNode node = yaml.putObject(field);
        Durations.toSeconds(probe.get("initialDelay")).ifPresent(v -> node.put("initial_delay", v));
        Durations.toSeconds(probe.get("period")).ifPresent(v -> node.put("period", v));
        Durations.toSeconds(probe.get("timeout")).ifPresent(v -> node.put("timeout", v));
        if (probe.path("successThreshold").isNumber()) {
            node.put("success_threshold", probe.get("successThreshold").asInt());
        }
        if (probe.path("failureThreshold").isNumber()) {
            node.put("failure_threshold", probe.get("failureThreshold").asInt());
        }
    }

    private static Deployment.ScaleSettings scale(DeploymentYaml.ScaleSettings scale) {
        String type = EndpointMapping.choice("scale_settings.type", scale.type(),
                Map.of("default", "Default", "target_utilization", "TargetUtilization"), "default");
        return new Deployment.ScaleSettings(type, Optional.ofNullable(scale.minInstances()), Optional.ofNullable(scale.maxInstances()),
                Optional.ofNullable(scale.pollingInterval()), Optional.ofNullable(scale.targetUtilizationPercentage()));
    }

    /** A local path resolved against the YAML file's folder; it must exist. */
    private static Path existing(String field, String value, Path baseDir) {
        Path resolved = baseDir.resolve(value).toAbsolutePath().normalize();
        if (!Files.exists(resolved)) {
            throw CliException.user(field + " '" + value + "' does not exist (resolved to " + resolved + ")");
        }
        return resolved;
    }

    private static boolean isReference(String value) {
        return value.startsWith("azureml:") || value.startsWith("/subscriptions/");
    }

    private static String online(String kind, String name, String hint) {
        if (name == null || name.isBlank()) {
            throw CliException.user(kind + " name is required: " + hint);
        }
        try {
            return Names.onlineName(kind, name);
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
    }

    private static String assetName(String kind, String name) {
        try {
            return Names.assetName(kind, name);
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
    }

    private static String version(String field, String version) {
        if (!version.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw CliException.user(field + " '" + version + "' is not a valid version; use letters, digits, periods, hyphens and underscores");
        }
        return version;
    }

    private static long value(Integer value, long fallback) {
        return value == null ? fallback : value;
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : new LinkedHashMap<>(map);
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
    }

    private static ObjectNode strings(Map<String, String> values) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        values.forEach(node::put);
        return node;
    }
}
