package enclave.serving.operation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.util.List;
import java.util.Map;

/** The operation status resource clients poll, and the ARM long-running-operation headers that point at it. */
public final class OperationApi {
    public static final String STATUS = "/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{loc}/mfeOperationsStatus/{op}";

    private final Operations operations;

    public OperationApi(Operations operations) {
        this.operations = operations;
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", STATUS, "Microsoft.MachineLearningServices/locations/operationsstatus/read",
                params -> ResourceId.subscription(params.get("sub")).toString(), call -> {
                    Operation operation = operations.get(call.param("op"));
                    call.json(200, toJson(operation), retryAfter(operation));
                }));
    }

    private static Map<String, String> retryAfter(Operation operation) {
        return operation.status().terminal() ? Map.of() : Map.of("Retry-After", "1");
    }

    /** {@code Azure-AsyncOperation} and {@code Location} for an operation, absolute on the caller's base URL. */
    public static Map<String, String> headers(Call call, Operation operation) {
        String url = call.baseUrl() + operation.id() + "?api-version=" + call.query("api-version").orElse("2024-04-01");
        return Map.of("Azure-AsyncOperation", url, "Location", url, "Retry-After", "1");
    }

    public static ObjectNode toJson(Operation operation) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", operation.id());
        node.put("name", operation.name());
        node.put("status", operation.status().name());
        node.put("startTime", operation.startTime().toString());
        operation.endTime().ifPresent(end -> node.put("endTime", end.toString()));
        node.put("percentComplete", operation.status().terminal() ? 100.0 : 0.0);
        operation.error().ifPresent(error -> node.putObject("error").put("code", error.code()).put("message", error.message()));
        ObjectNode properties = node.putObject("properties");
        properties.put("stage", operation.stage());
        operation.stages().forEach(properties.putArray("stages")::add);
        properties.put("resourceId", operation.resourceId());
        return node;
    }
}
