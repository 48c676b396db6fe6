package enclave.serving.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Diagnostic settings of an endpoint ({@code Microsoft.Insights/diagnosticSettings}), as Azure turns endpoint log
 * categories on and off. The category Enclave keeps is {@code AmlOnlineEndpointTrafficLog}: turning it off stops
 * traffic-log records for the endpoint at once. One setting per endpoint; its name is kept.
 */
public final class DiagnosticSettingsApi {
    public static final String TRAFFIC_LOG = "AmlOnlineEndpointTrafficLog";
    private static final String SETTINGS = EndpointApi.ENDPOINT + "/providers/Microsoft.Insights/diagnosticSettings";
    private static final String ACTION = "Microsoft.Insights/diagnosticSettings/";

    private final Endpoints endpoints;

    public DiagnosticSettingsApi(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("PUT", SETTINGS + "/{setting}", ACTION + "write", p -> Route.expand(EndpointApi.ENDPOINT, p), this::put),
                Route.of("GET", SETTINGS + "/{setting}", ACTION + "read", p -> Route.expand(EndpointApi.ENDPOINT, p),
                        call -> call.json(200, toArm(EndpointApi.id(call), endpoints.get(EndpointApi.id(call)), call.param("setting")))),
                Route.of("GET", SETTINGS, ACTION + "read", p -> Route.expand(EndpointApi.ENDPOINT, p), call -> call.json(200,
                        Map.of("value", List.of(toArm(EndpointApi.id(call), endpoints.get(EndpointApi.id(call)), "default"))))),
                Route.of("DELETE", SETTINGS + "/{setting}", ACTION + "delete", p -> Route.expand(EndpointApi.ENDPOINT, p), call -> {
                    // Without a diagnostic setting Azure keeps no logs; Enclave's default is to keep the traffic log, so deleting restores it.
                    set(EndpointApi.id(call), true, call.caller().objectId());
                    call.empty(200, Map.of());
                }));
    }

    private void put(Call call) {
        ResourceId id = EndpointApi.id(call);
        endpoints.get(id);
        JsonNode logs = call.body(JsonNode.class).path("properties").path("logs");
        if (!logs.isArray()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "properties.logs must be a list of {\"category\",\"enabled\"}");
        }
        Optional<Boolean> traffic = Optional.empty();
        for (JsonNode log : logs) {
            String category = log.path("category").asText(log.path("categoryGroup").asText(""));
            if (!log.path("enabled").isBoolean()) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "log category '" + category + "' needs enabled: true or false");
            }
            switch (category) {
                case TRAFFIC_LOG, "allLogs" -> traffic = Optional.of(log.get("enabled").asBoolean());
                case "AmlOnlineEndpointConsoleLog", "AmlOnlineEndpointEventLog", "audit" -> {
                    // kept by Enclave regardless (console logs are the deployment logs; events arrive with monitoring)
                }
                default -> throw new EnclaveException(ErrorCode.InvalidRequestContent, "unknown log category '" + category
                        + "'; online endpoints have AmlOnlineEndpointTrafficLog, AmlOnlineEndpointConsoleLog, AmlOnlineEndpointEventLog");
            }
        }
        set(id, traffic.orElse(false), call.caller().objectId());
        call.json(200, toArm(id, endpoints.get(id), call.param("setting")));
    }

    private void set(ResourceId id, boolean trafficLogging, String changedBy) {
        endpoints.createOrUpdate(id, new Endpoints.Spec(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(trafficLogging)), changedBy);
    }

    private static ObjectNode toArm(ResourceId endpoint, OnlineEndpoint state, String name) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", endpoint + "/providers/Microsoft.Insights/diagnosticSettings/" + name);
        node.put("name", name);
        node.put("type", "Microsoft.Insights/diagnosticSettings");
        ObjectNode log = node.putObject("properties").putArray("logs").addObject();
        log.put("category", TRAFFIC_LOG);
        log.put("enabled", state.trafficLogging());
        return node;
    }
}
