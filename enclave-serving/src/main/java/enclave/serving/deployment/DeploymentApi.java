package enclave.serving.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.serving.endpoint.EndpointApi;
import enclave.serving.endpoint.ProvisioningState;
import enclave.serving.operation.Operation;
import enclave.serving.operation.OperationApi;
import enclave.serving.runtime.InstanceStatus;
import enclave.serving.runtime.ProbeSettings;
import enclave.serving.runtime.RequestSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** ARM REST mapping of online deployments. */
public final class DeploymentApi {
    private static final String DEPLOYMENTS = EndpointApi.ENDPOINT + "/deployments";
    private static final String DEPLOYMENT = DEPLOYMENTS + "/{deployment}";
    private static final String ACTION = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/";

    private final Deployments deployments;
    private final Clock clock;

    public DeploymentApi(Deployments deployments, Clock clock) {
        this.deployments = deployments;
        this.clock = clock;
    }

    public List<Route> routes() {
        Function<Map<String, String>, String> endpointScope = p -> Route.expand(EndpointApi.ENDPOINT, p);
        return List.of(
                Route.of("PUT", DEPLOYMENT, ACTION + "write", endpointScope, call -> put(call, call.body(JsonNode.class))),
                Route.of("PATCH", DEPLOYMENT, ACTION + "write", endpointScope, call -> {
                    ObjectNode current = toArm(deployments.get(id(call)), Optional.empty());
                    put(call, EndpointApi.merge(current, call.body(JsonNode.class)));
                }),
                Route.of("GET", DEPLOYMENT, ACTION + "read", endpointScope, call -> {
                    ResourceId id = id(call);
                    call.json(200, toArm(deployments.get(id), Optional.of(deployments)));
                }),
                Route.of("GET", DEPLOYMENTS, ACTION + "read", endpointScope, call -> call.json(200,
                        Arm.list(deployments.list(EndpointApi.id(call)).stream().map(d -> toArm(d, Optional.of(deployments))).toList()))),
                Route.of("DELETE", DEPLOYMENT, ACTION + "delete", endpointScope, call -> {
                    Optional<Operation> operation = deployments.delete(id(call));
                    if (operation.isEmpty()) {
                        call.empty(204, Map.of());
                    } else {
                        call.empty(202, OperationApi.headers(call, operation.get()));
                    }
                }),
                Route.of("POST", DEPLOYMENT + "/getLogs", ACTION + "getLogs/action", endpointScope, call -> {
                    JsonNode body = call.body(JsonNode.class);
                    String container = Arm.text(body, "containerType").orElse("InferenceServer");
                    if (!container.replace("-", "").equalsIgnoreCase("InferenceServer") && !container.replace("-", "").equalsIgnoreCase("StorageInitializer")) {
                        throw new EnclaveException(ErrorCode.InvalidRequestContent, "containerType '" + container + "' is not one of InferenceServer, StorageInitializer");
                    }
                    JsonNode tail = body.get("tail");
                    int lines = tail == null || tail.isNull() ? 5000 : tail.asInt(-1);
                    if (lines < 0) {
                        throw new EnclaveException(ErrorCode.InvalidRequestContent, "tail must be a non-negative whole number");
                    }
                    call.json(200, Map.of("content", deployments.logs(id(call), container, lines)));
                }));
    }

    private static ResourceId id(Call call) {
        return Deployments.id(EndpointApi.id(call), call.param("deployment"));
    }

    private void put(Call call, JsonNode body) {
        ResourceId id = id(call);
        boolean exists = deployments.find(id).isPresent();
        Operation operation = deployments.createOrUpdate(parse(id, body));
        call.json(exists ? 200 : 201, toArm(deployments.get(id), Optional.of(deployments)), OperationApi.headers(call, operation));
    }

    private OnlineDeployment parse(ResourceId id, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the deployment body must be a JSON object");
        }
        JsonNode properties = Arm.object(body, "properties");
        JsonNode code = Arm.object(properties, "codeConfiguration");
        int capacity = body.path("sku").path("capacity").isMissingNode() ? 1 : intValue(body.path("sku"), "capacity", "sku.capacity");
        try {
            return new OnlineDeployment(id.toString(), id.name(), id.parent().orElseThrow().name(), Arm.text(body, "location").orElse("local"),
                    Arm.text(properties, "description").orElse(""), Arm.stringMap(body, "tags").orElse(Map.of()),
                    Arm.text(properties, "model").orElse(null), Arm.text(code, "codeId").orElse(null), Arm.text(code, "scoringScript").orElse(null),
                    Arm.text(properties, "environmentId").orElse(null), Arm.stringMap(properties, "environmentVariables").orElse(Map.of()),
                    Arm.text(properties, "instanceType").orElse("Standard_DS3_v2"), capacity, requestSettings(Arm.object(properties, "requestSettings")),
                    probe(Arm.object(properties, "livenessProbe"), "livenessProbe"), probe(Arm.object(properties, "readinessProbe"), "readinessProbe"),
                    Arm.text(properties, "egressPublicNetworkAccess").orElse("Enabled"), ProvisioningState.Creating, Optional.empty(), 0, clock.instant());
        } catch (IllegalArgumentException e) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, e.getMessage());
        }
    }

    private static RequestSettings requestSettings(JsonNode node) {
        RequestSettings d = RequestSettings.DEFAULTS;
        return new RequestSettings(duration(node, "requestTimeout", d.requestTimeout()),
                node.has("maxConcurrentRequestsPerInstance") ? intValue(node, "maxConcurrentRequestsPerInstance", "requestSettings.maxConcurrentRequestsPerInstance")
                        : d.maxConcurrentRequestsPerInstance(),
                duration(node, "maxQueueWait", d.maxQueueWait()));
    }

    private static ProbeSettings probe(JsonNode node, String name) {
        ProbeSettings d = ProbeSettings.DEFAULTS;
        return new ProbeSettings(duration(node, "initialDelay", d.initialDelay()), duration(node, "period", d.period()), duration(node, "timeout", d.timeout()),
                node.has("successThreshold") ? intValue(node, "successThreshold", name + ".successThreshold") : d.successThreshold(),
                node.has("failureThreshold") ? intValue(node, "failureThreshold", name + ".failureThreshold") : d.failureThreshold());
    }

    private static int intValue(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, path + " must be a whole number, got " + value);
        }
        return value.intValue();
    }

    private static Duration duration(JsonNode node, String field, Duration fallback) {
        Optional<String> text = Arm.text(node, field);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return Duration.parse(text.get());
        } catch (DateTimeParseException e) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, field + " '" + text.get() + "' is not an ISO-8601 duration such as PT5S");
        }
    }

    static ObjectNode toArm(OnlineDeployment d, Optional<Deployments> live) {
        ObjectNode node = Arm.envelope(ResourceId.parse(d.id()), d.location(), d.tags());
        node.put("kind", "Managed");
        node.putObject("sku").put("name", "Default").put("capacity", d.instanceCount());
        ObjectNode p = Arm.properties(node);
        p.put("endpointComputeType", "Managed");
        p.put("description", d.description());
        p.put("model", d.model());
        p.putObject("codeConfiguration").put("codeId", d.codeId()).put("scoringScript", d.scoringScript());
        if (d.environmentId() != null) {
            p.put("environmentId", d.environmentId());
        }
        p.set("environmentVariables", Json.MAPPER.valueToTree(d.environmentVariables()));
        p.put("instanceType", d.instanceType());
        p.putObject("requestSettings").put("requestTimeout", d.requestSettings().requestTimeout().toString())
                .put("maxConcurrentRequestsPerInstance", d.requestSettings().maxConcurrentRequestsPerInstance())
                .put("maxQueueWait", d.requestSettings().maxQueueWait().toString());
        p.set("livenessProbe", probeJson(d.livenessProbe()));
        p.set("readinessProbe", probeJson(d.readinessProbe()));
        p.put("egressPublicNetworkAccess", d.egressPublicNetworkAccess());
        p.put("appInsightsEnabled", false);
        p.put("provisioningState", d.provisioningState().name());
        ObjectNode enclave = p.putObject("enclave");
        enclave.put("generation", d.generation());
        d.error().ifPresent(error -> enclave.put("error", error));
        live.flatMap(l -> l.running(ResourceId.parse(d.id()))).ifPresent(running -> {
            enclave.put("restarts", running.restarts());
            List<InstanceStatus> instances = running.instances();
            enclave.set("instances", Json.MAPPER.valueToTree(instances));
        });
        return node;
    }

    private static ObjectNode probeJson(ProbeSettings probe) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("initialDelay", probe.initialDelay().toString());
        node.put("period", probe.period().toString());
        node.put("timeout", probe.timeout().toString());
        node.put("successThreshold", probe.successThreshold());
        node.put("failureThreshold", probe.failureThreshold());
        return node;
    }
}
