package enclave.network.privateendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ARM REST mapping of private endpoints, and of private endpoint connections below every registered target kind
 * ({@code {target}/privateEndpointConnections/{name}}): reading needs {@code <type>/privateEndpointConnections/read},
 * approving or rejecting (PUT with {@code privateLinkServiceConnectionState.status}) needs the approval action.
 */
public final class PrivateEndpointApi {
    private static final String GROUP = "/subscriptions/{sub}/resourceGroups/{rg}";
    private static final String ENDPOINTS = GROUP + "/providers/Microsoft.Network/privateEndpoints";
    private static final String ENDPOINT = ENDPOINTS + "/{pe}";
    private static final String ALL_ENDPOINTS = "/subscriptions/{sub}/providers/Microsoft.Network/privateEndpoints";

    private final PrivateEndpoints endpoints;
    private final PrivateLinkTargets targets;

    public PrivateEndpointApi(PrivateEndpoints endpoints, PrivateLinkTargets targets) {
        this.endpoints = endpoints;
        this.targets = targets;
    }

    /** The routes; build them after every target kind is registered (each kind gets its own connection routes and actions). */
    public List<Route> routes() {
        String action = PrivateEndpoint.TYPE + "/";
        List<Route> routes = new ArrayList<>(List.of(
                Route.of("PUT", ENDPOINT, action + "write", this::put),
                Route.of("GET", ENDPOINT, action + "read", call -> call.json(200, toArm(endpoints.get(endpointId(call))))),
                Route.of("DELETE", ENDPOINT, action + "delete", call -> call.empty(endpoints.delete(endpointId(call)) ? 200 : 204, Map.of())),
                Route.of("GET", ENDPOINTS, action + "read", p -> Route.expand(GROUP, p), call -> call.json(200,
                        Arm.list(endpoints.list(ResourceId.resourceGroup(call.param("sub"), call.param("rg"))).stream().map(this::toArm).toList()))),
                // Every group's, deployments' own networks too (their private endpoints live in <endpoint>-<deployment>-network groups).
                Route.of("GET", ALL_ENDPOINTS, action + "read", call -> call.json(200, Arm.list(endpoints.all().stream()
                        .filter(e -> e.resourceId().subscription().equalsIgnoreCase(call.param("sub"))).map(this::toArm).toList())))));
        for (PrivateLinkTarget kind : targets.all()) {
            String type = kind.resourceType();
            String collection = GROUP + "/providers/" + type + "/{target}/privateEndpointConnections";
            String connection = collection + "/{connection}";
            String connections = type + "/privateEndpointConnections/";
            routes.add(Route.of("GET", collection, connections + "read", call -> call.json(200,
                    Arm.list(endpoints.connections(targetId(call, type)).stream().map(PrivateEndpointApi::toArm).toList()))));
            routes.add(Route.of("GET", connection, connections + "read", call -> call.json(200,
                    toArm(endpoints.connection(targetId(call, type), call.param("connection"))))));
            routes.add(Route.of("PUT", connection, PrivateEndpoints.approvalAction(type), call -> setStatus(call, type)));
            routes.add(Route.of("DELETE", connection, connections + "delete", call -> call.empty(
                    endpoints.deleteConnection(targetId(call, type), call.param("connection")) ? 200 : 204, Map.of())));
        }
        return routes;
    }

    private static ResourceId endpointId(Call call) {
        return PrivateEndpoints.id(call.param("sub"), call.param("rg"), call.param("pe"));
    }

    private static ResourceId targetId(Call call, String type) {
        String[] parts = type.split("/");
        return ResourceId.of(call.param("sub"), call.param("rg"), parts[0], parts[1], call.param("target"));
    }

    private void setStatus(Call call, String type) {
        JsonNode body = call.body(JsonNode.class);
        JsonNode state = Arm.object(Arm.object(body, "properties"), "privateLinkServiceConnectionState");
        String status = Arm.text(state, "status").orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                "set properties.privateLinkServiceConnectionState.status to Approved or Rejected"));
        PrivateEndpoints.Connection changed = endpoints.setStatus(targetId(call, type), call.param("connection"),
                ConnectionStatus.valueOf(PrivateEndpoints.normalizeStatus(status)), Arm.text(state, "description").orElse(""));
        call.json(200, toArm(changed));
    }

    private void put(Call call) {
        ResourceId id = endpointId(call);
        JsonNode body = call.body(JsonNode.class);
        JsonNode properties = Arm.object(body, "properties");
        String subnet = Arm.text(Arm.object(properties, "subnet"), "id").orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                "a private endpoint needs properties.subnet.id (--vnet-name and --subnet)"));
        JsonNode automatic = properties.path("privateLinkServiceConnections");
        JsonNode manual = properties.path("manualPrivateLinkServiceConnections");
        int count = automatic.size() + manual.size();
        if (count != 1) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "a private endpoint needs exactly one connection in properties.privateLinkServiceConnections "
                    + "or properties.manualPrivateLinkServiceConnections; this one has " + count);
        }
        boolean manualRequest = manual.size() == 1;
        JsonNode connection = manualRequest ? manual.get(0) : automatic.get(0);
        JsonNode connectionProperties = Arm.object(connection, "properties");
        String name = Arm.text(connection, "name").orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                "the connection needs a name (--connection-name)"));
        String target = Arm.text(connectionProperties, "privateLinkServiceId").orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                "the connection needs properties.privateLinkServiceId (--private-connection-resource-id)"));
        JsonNode groupIds = connectionProperties.path("groupIds");
        if (!groupIds.isArray() || groupIds.size() != 1) {
            throw new EnclaveException(ErrorCode.InvalidGroupId, "the connection needs exactly one group id in properties.groupIds (--group-id)");
        }
        boolean existed = endpoints.find(id).isPresent();
        PrivateEndpoint endpoint = endpoints.create(call.caller(), id, new PrivateEndpoints.Request(Arm.text(body, "location"),
                Arm.stringMap(body, "tags").orElse(Map.of()), ResourceId.parse(subnet), ResourceId.parse(target), groupIds.get(0).asText(), name,
                manualRequest, Arm.text(connectionProperties, "requestMessage").orElse("")));
        call.json(existed ? 200 : 201, toArm(endpoint));
    }

    /** The ARM body of a private endpoint. */
    public ObjectNode toArm(PrivateEndpoint endpoint) {
        ObjectNode node = Arm.envelope(endpoint.resourceId(), endpoint.location(), endpoint.tags());
        ObjectNode properties = Arm.properties(node);
        properties.put("provisioningState", "Succeeded");
        properties.putObject("subnet").put("id", endpoint.subnet());
        properties.put("privateIpAddress", endpoint.privateIpAddress());
        ObjectNode connection = Json.MAPPER.createObjectNode();
        connection.put("id", endpoint.id() + (endpoint.manualRequest() ? "/manualPrivateLinkServiceConnections/" : "/privateLinkServiceConnections/")
                + endpoint.connectionName());
        connection.put("name", endpoint.connectionName());
        ObjectNode connectionProperties = connection.putObject("properties");
        connectionProperties.put("privateLinkServiceId", endpoint.target());
        connectionProperties.putArray("groupIds").add(endpoint.groupId());
        connectionProperties.put("requestMessage", endpoint.requestMessage());
        connectionProperties.set("privateLinkServiceConnectionState", state(endpoint));
        properties.putArray("privateLinkServiceConnections");
        properties.putArray("manualPrivateLinkServiceConnections");
        ((ArrayNode) properties.get(endpoint.manualRequest() ? "manualPrivateLinkServiceConnections" : "privateLinkServiceConnections")).add(connection);
        ArrayNode dns = properties.putArray("customDnsConfigs");
        List<String> fqdns = endpoints.fqdns(endpoint);
        for (String fqdn : fqdns) {
            dns.addObject().put("fqdn", fqdn).putArray("ipAddresses").add(endpoint.privateIpAddress());
        }
        if (fqdns.isEmpty()) {
            dns.addObject().putArray("ipAddresses").add(endpoint.privateIpAddress());
        }
        properties.putArray("networkInterfaces").addObject().put("id", endpoint.resourceId().toString()
                .replace("/privateEndpoints/" + endpoint.name(), "/networkInterfaces/" + endpoint.name() + ".nic"));
        properties.putArray("ipConfigurations").addObject().put("name", "ipconfig").putObject("properties")
                .put("privateIPAddress", endpoint.privateIpAddress()).put("groupId", endpoint.groupId());
        return node;
    }

    /** The ARM body of a target's connection. */
    public static ObjectNode toArm(PrivateEndpoints.Connection connection) {
        PrivateEndpoint endpoint = connection.endpoint();
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", connection.connection().id());
        node.put("name", connection.connection().name());
        node.put("type", PrivateEndpointConnection.type(endpoint.targetId().type()));
        ObjectNode properties = node.putObject("properties");
        properties.putObject("privateEndpoint").put("id", endpoint.id());
        properties.set("privateLinkServiceConnectionState", state(endpoint));
        properties.putArray("groupIds").add(endpoint.groupId());
        properties.put("provisioningState", "Succeeded");
        properties.put("privateIpAddress", endpoint.privateIpAddress());
        properties.put("requestMessage", endpoint.requestMessage());
        return node;
    }

    private static ObjectNode state(PrivateEndpoint endpoint) {
        ObjectNode state = Json.MAPPER.createObjectNode();
        state.put("status", endpoint.status().name());
        state.put("description", endpoint.statusDescription());
        state.put("actionsRequired", "None");
        return state;
    }
}
