package enclave.serving.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.serving.workspace.WorkspaceApi;
import java.util.List;
import java.util.Map;

/**
 * ARM REST mapping of workspace connections. GET and list never show credentials; {@code listsecrets} does, and needs
 * {@code Microsoft.MachineLearningServices/workspaces/connections/listsecrets/action} (the Azure Machine Learning Workspace
 * Connection Secrets Reader role).
 */
public final class ConnectionApi {
    private static final String CONNECTIONS = WorkspaceApi.WORKSPACE + "/connections";
    private static final String CONNECTION = CONNECTIONS + "/{connection}";
    private static final String ACTION = "Microsoft.MachineLearningServices/workspaces/connections/";

    private final Connections connections;

    public ConnectionApi(Connections connections) {
        this.connections = connections;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("PUT", CONNECTION, ACTION + "write", this::put),
                Route.of("GET", CONNECTION, ACTION + "read", call -> call.json(200, toArm(connections.get(id(call)), false))),
                Route.of("GET", CONNECTIONS, ACTION + "read", p -> Route.expand(WorkspaceApi.WORKSPACE, p),
                        call -> call.json(200, Arm.list(connections.list(WorkspaceApi.id(call)).stream().map(c -> toArm(c, false)).toList()))),
                Route.of("DELETE", CONNECTION, ACTION + "delete", call -> call.empty(connections.delete(id(call)) ? 200 : 204, Map.of())),
                Route.of("POST", CONNECTION + "/listsecrets", ACTION + "listsecrets/action", call -> call.json(200, toArm(connections.get(id(call)), true))));
    }

    private static ResourceId id(Call call) {
        return Connections.id(WorkspaceApi.id(call), call.param("connection"));
    }

    private void put(Call call) {
        JsonNode body = call.body(JsonNode.class);
        JsonNode properties = Arm.object(body, "properties");
        ResourceId id = id(call);
        boolean created = connections.put(id, Arm.text(properties, "category").orElse(null), Arm.text(properties, "target").orElse(null),
                Arm.text(properties, "authType").orElse(null), properties.get("credentials"), Arm.stringMap(properties, "metadata").orElse(Map.of()));
        call.json(created ? 201 : 200, toArm(connections.get(id), false));
    }

    private ObjectNode toArm(WorkspaceConnection connection, boolean withSecrets) {
        ObjectNode node = Arm.envelope(ResourceId.parse(connection.id()), null, Map.of());
        ObjectNode properties = Arm.properties(node);
        properties.put("category", connection.category());
        properties.put("target", connection.target());
        properties.put("authType", connection.authType());
        properties.set("metadata", Json.MAPPER.valueToTree(connection.metadata()));
        if (withSecrets) {
            properties.set("credentials", connections.credentials(connection));
        } else {
            properties.putNull("credentials");
        }
        node.putObject("systemData").put("createdAt", connection.createdAt().toString());
        return node;
    }
}
