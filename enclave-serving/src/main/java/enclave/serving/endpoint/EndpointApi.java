package enclave.serving.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Caller;
import enclave.identity.Principal;
import enclave.identity.PrincipalKind;
import enclave.identity.TokenService;
import enclave.core.http.Route;
import enclave.serving.deployment.Deployments;
import enclave.serving.operation.Operation;
import enclave.serving.operation.OperationApi;
import enclave.serving.operation.Operations;
import enclave.serving.trafficlog.TrafficLog;
import enclave.serving.workspace.WorkspaceApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** ARM REST mapping of online endpoints. */
public final class EndpointApi {
    public static final String ENDPOINTS = WorkspaceApi.WORKSPACE + "/onlineEndpoints";
    public static final String ENDPOINT = ENDPOINTS + "/{endpoint}";
    private static final String ACTION = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/";

    private final Endpoints endpoints;
    private final Deployments deployments;
    private final Operations operations;
    private final TrafficLog trafficLog;
    private final Function<String, String> scoringUri;
    private final TokenService tokens;
    /** Microsoft does not publish the aml_token lifetime; one hour, refreshed after half of it. */
    private static final java.time.Duration AML_TOKEN_LIFETIME = java.time.Duration.ofHours(1);

    /** @param scoringUri the scoring URI of an endpoint name */
    public EndpointApi(Endpoints endpoints, Deployments deployments, Operations operations, TrafficLog trafficLog, Function<String, String> scoringUri,
            TokenService tokens) {
        this.tokens = tokens;
        this.endpoints = endpoints;
        this.deployments = deployments;
        this.operations = operations;
        this.trafficLog = trafficLog;
        this.scoringUri = scoringUri;
    }

    public List<Route> routes() {
        // Azure checks read/write/delete of endpoints at workspace scope, and keys and tokens at endpoint scope.
        Function<Map<String, String>, String> workspaceScope = p -> Route.expand(WorkspaceApi.WORKSPACE, p);
        return List.of(
                Route.of("PUT", ENDPOINT, ACTION + "write", workspaceScope, this::put),
                Route.of("PATCH", ENDPOINT, ACTION + "write", workspaceScope, this::patch),
                Route.of("GET", ENDPOINT, ACTION + "read", workspaceScope, call -> call.json(200, toArm(endpoints.get(id(call))))),
                Route.of("GET", ENDPOINTS, ACTION + "read", workspaceScope, call -> call.json(200,
                        Arm.list(endpoints.list(WorkspaceApi.id(call)).stream().map(this::toArm).toList()))),
                Route.of("DELETE", ENDPOINT, ACTION + "delete", workspaceScope, this::delete),
                Route.of("POST", ENDPOINT + "/listKeys", ACTION + "listKeys/action", call -> call.json(200, keys(endpoints.keys(id(call))))),
                Route.of("POST", ENDPOINT + "/regenerateKeys", ACTION + "regenerateKeys/action", this::regenerateKeys),
                Route.of("POST", ENDPOINT + "/token", ACTION + "token/action", this::token),
                Route.of("GET", ENDPOINT + "/trafficLogs", ACTION + "read", call -> {
                    endpoints.get(id(call));
                    int top = call.query("top").map(EndpointApi::positive).orElse(100);
                    call.json(200, Map.of("value", trafficLog.recent(id(call), top)));
                }));
    }

    public static ResourceId id(Call call) {
        return Endpoints.id(WorkspaceApi.id(call), call.param("endpoint"));
    }

    private void put(Call call) {
        ResourceId id = id(call);
        boolean created = endpoints.createOrUpdate(id, spec(call.body(JsonNode.class)), call.caller().objectId());
        Operation operation = operations.complete(operations.create(id, "done"), Optional.empty());
        call.json(created ? 201 : 200, toArm(endpoints.get(id)), OperationApi.headers(call, operation));
    }

    /** PATCH merges the body into the current ARM shape and applies it as a PUT would. */
    private void patch(Call call) {
        ResourceId id = id(call);
        ObjectNode current = toArm(endpoints.get(id));
        JsonNode merged = merge(current, call.body(JsonNode.class));
        endpoints.createOrUpdate(id, spec(merged), call.caller().objectId());
        Operation operation = operations.complete(operations.create(id, "done"), Optional.empty());
        call.json(200, toArm(endpoints.get(id)), OperationApi.headers(call, operation));
    }

    private void delete(Call call) {
        ResourceId id = id(call);
        if (endpoints.find(id).isEmpty()) {
            call.empty(204, Map.of());
            return;
        }
        endpoints.markDeleting(id);
        Operation operation = operations.start(id, "stopping deployments", stage -> {
            deployments.removeAll(id);
            stage.accept("deleting endpoint");
            trafficLog.deleteEndpoint(id);
            endpoints.remove(id);
        });
        call.empty(202, OperationApi.headers(call, operation));
    }

    private void regenerateKeys(Call call) {
        JsonNode body = call.body(JsonNode.class);
        String keyType = Arm.text(body, "keyType").orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                "the body needs keyType: Primary or Secondary"));
        ResourceId id = id(call);
        endpoints.regenerateKey(id, keyType);
        Operation operation = operations.complete(operations.create(id, "done"), Optional.empty());
        call.empty(202, OperationApi.headers(call, operation));
    }

    /** An aml_token: a platform token whose audience is this endpoint alone, for the caller who asked for it. */
    private void token(Call call) {
        ResourceId id = id(call);
        OnlineEndpoint endpoint = endpoints.get(id);
        if (endpoint.authMode() != AuthMode.AMLToken) {
            throw new EnclaveException(ErrorCode.BadRequest, "endpoint '" + endpoint.name() + "' uses auth mode " + endpoint.authMode().yaml()
                    + "; platform tokens are for aml_token endpoints (" + (endpoint.authMode() == AuthMode.Key ? "use listKeys" : "get a token for https://ml.azure.com") + ")");
        }
        Caller caller = call.caller();
        Principal principal = new Principal(caller.objectId(), caller.tenantId(), caller.appId().isPresent() ? PrincipalKind.SERVICE_PRINCIPAL : PrincipalKind.USER,
                caller.appId(), caller.displayName());
        TokenService.IssuedToken issued = tokens.issue(principal, TokenService.endpointAudience(id.key()), AML_TOKEN_LIFETIME);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accessToken", issued.accessToken());
        body.put("tokenType", "Bearer");
        body.put("expiryTimeUtc", issued.expiresOn().getEpochSecond());
        body.put("refreshAfterTimeUtc", issued.expiresOn().minus(AML_TOKEN_LIFETIME.dividedBy(2)).getEpochSecond());
        call.json(200, body);
    }

    private static Map<String, String> keys(EndpointKeys keys) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("primaryKey", keys.primaryKey());
        body.put("secondaryKey", keys.secondaryKey());
        return body;
    }

    static Endpoints.Spec spec(JsonNode body) {
        JsonNode properties = Arm.object(body, "properties");
        Optional<EndpointIdentities.Request> identity = identity(body);
        Optional<AuthMode> authMode = Arm.text(properties, "authMode").map(AuthMode::parse);
        Optional<Boolean> trafficLogging = Optional.ofNullable(properties.get("enclave")).map(e -> e.path("trafficLogging").asBoolean(true));
        return new Endpoints.Spec(Arm.text(body, "location"), Arm.stringMap(body, "tags"), Arm.text(properties, "description"), authMode, identity,
                Arm.text(properties, "publicNetworkAccess"), weights(properties, "traffic"), weights(properties, "mirrorTraffic"), trafficLogging);
    }

    /** ARM's {@code identity}: {@code {"type":"UserAssigned","userAssignedIdentities":{"<id>":{}}}}; absent means the default. */
    private static Optional<EndpointIdentities.Request> identity(JsonNode body) {
        JsonNode identity = body.get("identity");
        if (identity == null || identity.isNull()) {
            return Optional.empty();
        }
        if (!identity.isObject()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "identity must be an object like {\"type\":\"SystemAssigned\"}");
        }
        String type = Arm.text(identity, "type").orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                "identity.type is required: SystemAssigned, UserAssigned or None"));
        List<String> ids = new java.util.ArrayList<>();
        JsonNode assigned = identity.get("userAssignedIdentities");
        if (assigned != null && !assigned.isNull()) {
            if (!assigned.isObject()) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "identity.userAssignedIdentities must be an object of resource ids to {}");
            }
            assigned.fieldNames().forEachRemaining(ids::add);
        }
        return Optional.of(new EndpointIdentities.Request(type, ids));
    }

    private static Optional<Map<String, Integer>> weights(JsonNode properties, String field) {
        JsonNode node = properties.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new EnclaveException(ErrorCode.InvalidTraffic, field + " must be an object of deployment names to whole-number percentages");
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        node.fields().forEachRemaining(entry -> {
            if (!entry.getValue().canConvertToInt() || !entry.getValue().isIntegralNumber()) {
                throw new EnclaveException(ErrorCode.InvalidTraffic, field + " for deployment '" + entry.getKey() + "' must be a whole number, got " + entry.getValue());
            }
            weights.put(entry.getKey(), entry.getValue().intValue());
        });
        return Optional.of(weights);
    }

    ObjectNode toArm(OnlineEndpoint endpoint) {
        ObjectNode node = Arm.envelope(ResourceId.parse(endpoint.id()), endpoint.location(), endpoint.tags());
        node.put("kind", "Managed");
        node.set("identity", identityToArm(endpoint.identity()));
        ObjectNode properties = Arm.properties(node);
        properties.put("description", endpoint.description());
        properties.put("authMode", endpoint.authMode().name());
        properties.put("scoringUri", scoringUri.apply(endpoint.name()));
        properties.putNull("swaggerUri");
        properties.put("publicNetworkAccess", endpoint.publicNetworkAccess());
        properties.set("traffic", Json.MAPPER.valueToTree(endpoint.traffic()));
        properties.set("mirrorTraffic", Json.MAPPER.valueToTree(endpoint.mirrorTraffic()));
        properties.put("provisioningState", endpoint.provisioningState().name());
        properties.putObject("enclave").put("trafficLogging", endpoint.trafficLogging());
        node.putObject("systemData").put("createdAt", endpoint.createdAt().toString());
        return node;
    }

    /** Azure's shape: {@code principalId}/{@code tenantId} of the system-assigned identity, and each user-assigned one's principal and client. */
    static ObjectNode identityToArm(EndpointIdentity identity) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("type", identity.type());
        identity.principalId().ifPresent(p -> node.put("principalId", p).put("tenantId", identity.tenantId()));
        if (!identity.userAssigned().isEmpty()) {
            node.put("tenantId", identity.tenantId());
            ObjectNode assigned = node.putObject("userAssignedIdentities");
            identity.userAssigned().forEach(a -> assigned.putObject(a.resourceId()).put("principalId", a.principalId()).put("clientId", a.clientId()));
        }
        return node;
    }

    /** Deep-merges {@code patch} into {@code target} (objects merge, everything else replaces), as a JSON merge patch does. */
    public static JsonNode merge(ObjectNode target, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "a PATCH body must be a JSON object");
        }
        patch.fields().forEachRemaining(entry -> {
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode existingObject && entry.getValue().isObject()
                    && !entry.getKey().equals("traffic") && !entry.getKey().equals("mirrorTraffic") && !entry.getKey().equals("tags")) {
                merge(existingObject, entry.getValue());
            } else {
                target.set(entry.getKey(), entry.getValue());
            }
        });
        return target;
    }

    private static int positive(String text) {
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return Math.min(value, 10_000);
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new EnclaveException(ErrorCode.BadRequest, "'top' must be a positive whole number, got '" + text + "'");
    }
}
