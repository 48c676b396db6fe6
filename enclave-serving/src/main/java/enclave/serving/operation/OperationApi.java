package enclave.serving.operation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The operation status resource clients poll, and the ARM long-running-operation headers that point at it. */
public final class OperationApi {
    public static final String STATUS = "/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{loc}/mfeOperationsStatus/{op}";

    /** The longest a status GET is held; well within the server's and clients' idle timeouts. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(10);

    private final Operations operations;

    public OperationApi(Operations operations) {
        this.operations = operations;
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", STATUS, "Microsoft.MachineLearningServices/locations/operationsstatus/read",
                params -> ResourceId.subscription(params.get("sub")).toString(), this::status));
    }

    /**
     * A plain GET answers at once, as ARM's does. A GET with {@code If-None-Match} (the {@code ETag} of the state the
     * client has seen) and {@code Prefer: wait=N} (RFC 7240) is held until the operation changes, at most N seconds
     * (capped at {@link #LONGEST_WAIT}); the answer says {@code Preference-Applied}, so the client knows it need not
     * sleep between polls. The CLI's deploy learns of each stage the moment it happens (issue 6). Unchanged: 304.
     */
    private void status(Call call) {
        Optional<String> seen = call.header("If-None-Match");
        Optional<Duration> wait = call.header("Prefer").flatMap(OperationApi::waitPreference);
        Operation operation = seen.isPresent() && wait.isPresent()
                ? operations.awaitChange(call.param("op"), seen.get(), wait.get())
                : operations.get(call.param("op"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ETag", operation.etag());
        if (!operation.status().terminal()) {
            headers.put("Retry-After", "1");
        }
        wait.ifPresent(applied -> headers.put("Preference-Applied", "wait=" + applied.toSeconds()));
        if (seen.filter(operation.etag()::equals).isPresent()) {
            call.empty(304, headers);
        } else {
            call.json(200, toJson(operation), headers);
        }
    }

    /** {@code wait=N} among the preferences of a {@code Prefer} header, capped; absent when not asked or not a number. */
    static Optional<Duration> waitPreference(String prefer) {
        for (String preference : prefer.split(",")) {
            String[] parts = preference.trim().split("=", 2);
            if (parts.length == 2 && parts[0].trim().equalsIgnoreCase("wait")) {
                try {
                    long seconds = Long.parseLong(parts[1].trim());
                    return seconds <= 0 ? Optional.empty()
                            : Optional.of(Duration.ofSeconds(Math.min(seconds, LONGEST_WAIT.toSeconds())));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
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
