package enclave.serving.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Caller;
import enclave.core.http.Route;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** ARM REST mapping of workspaces. */
public final class WorkspaceApi {
    private static final String GROUP = "/subscriptions/{sub}/resourceGroups/{rg}";
    private static final String WORKSPACES = GROUP + "/providers/Microsoft.MachineLearningServices/workspaces";
    public static final String WORKSPACE = WORKSPACES + "/{ws}";

    private final Workspaces workspaces;
    private final Consumer<ResourceId> beforeDelete;
    private final Consumer<ResourceId> afterDelete;
    private final BiConsumer<Caller, ResourceId> onCreated;
    private final NetworkView network;

    /** Adds what the network module knows about a workspace to its ARM properties (private endpoint connections, the private network check). */
    @FunctionalInterface
    public interface NetworkView {
        NetworkView NONE = (workspace, properties) -> {};

        void describe(Workspace workspace, ObjectNode properties);
    }

    /**
     * @param beforeDelete stops what runs below a workspace (endpoints and their workers) before it is deleted
     * @param afterDelete told once it is gone (the gateway forgets its endpoints)
     * @param onCreated told the creator and the new default storage account; the server grants the creator the blob data
     *     role there, since uploading model and code is blob data access (Azure's CLI uses the datastore's account key instead)
     */
    public WorkspaceApi(Workspaces workspaces, Consumer<ResourceId> beforeDelete, Consumer<ResourceId> afterDelete, BiConsumer<Caller, ResourceId> onCreated) {
        this(workspaces, beforeDelete, afterDelete, onCreated, NetworkView.NONE);
    }

    public WorkspaceApi(Workspaces workspaces, Consumer<ResourceId> beforeDelete, Consumer<ResourceId> afterDelete, BiConsumer<Caller, ResourceId> onCreated,
            NetworkView network) {
        this.network = network;
        this.workspaces = workspaces;
        this.beforeDelete = beforeDelete;
        this.afterDelete = afterDelete;
        this.onCreated = onCreated;
    }

    public List<Route> routes() {
        String action = "Microsoft.MachineLearningServices/workspaces/";
        return List.of(
                Route.of("PUT", WORKSPACE, action + "write", this::put),
                Route.of("PATCH", WORKSPACE, action + "write", this::patch),
                Route.of("GET", WORKSPACE, action + "read", call -> call.json(200, toArm(workspaces.get(id(call))))),
                Route.of("DELETE", WORKSPACE, action + "delete", this::delete),
                Route.of("GET", WORKSPACES, action + "read", p -> Route.expand(GROUP, p), call -> call.json(200,
                        Arm.list(workspaces.list(ResourceId.resourceGroup(call.param("sub"), call.param("rg"))).stream().map(this::toArm).toList()))));
    }

    public static ResourceId id(Call call) {
        return Workspaces.id(call.param("sub"), call.param("rg"), call.param("ws"));
    }

    private void put(Call call) {
        JsonNode body = call.body(JsonNode.class);
        JsonNode properties = Arm.object(body, "properties");
        boolean created = workspaces.createOrUpdate(id(call), new Workspaces.Changes(Arm.text(body, "location").orElse("local"),
                Arm.stringMap(body, "tags").orElse(Map.of()), Arm.text(properties, "description"), Arm.text(properties, "friendlyName"),
                Arm.text(properties, "publicNetworkAccess")));
        Workspace workspace = workspaces.get(id(call));
        if (created) {
            onCreated.accept(call.caller(), ResourceId.parse(workspace.storageAccount()));
        }
        call.json(created ? 201 : 200, toArm(workspace));
    }

    private void patch(Call call) {
        JsonNode body = call.body(JsonNode.class);
        Workspace current = workspaces.get(id(call));
        JsonNode properties = Arm.object(body, "properties");
        workspaces.createOrUpdate(id(call), new Workspaces.Changes(current.location(), Arm.stringMap(body, "tags").orElse(current.tags()),
                Arm.text(properties, "description"), Arm.text(properties, "friendlyName"), Arm.text(properties, "publicNetworkAccess")));
        call.json(200, toArm(workspaces.get(id(call))));
    }

    private void delete(Call call) {
        ResourceId id = id(call);
        if (workspaces.find(id).isEmpty()) {
            call.empty(204, Map.of());
            return;
        }
        beforeDelete.accept(id);
        workspaces.delete(id);
        afterDelete.accept(id);
        call.empty(200, Map.of());
    }

    ObjectNode toArm(Workspace workspace) {
        ObjectNode node = Arm.envelope(ResourceId.parse(workspace.id()), workspace.location(), workspace.tags());
        node.putObject("identity").put("type", "SystemAssigned");
        node.putObject("sku").put("name", "Basic").put("tier", "Basic");
        ObjectNode properties = Arm.properties(node);
        properties.put("description", workspace.description());
        properties.put("friendlyName", workspace.friendlyName());
        properties.put("workspaceId", workspace.workspaceId());
        properties.put("storageAccount", workspace.storageAccount());
        properties.put("containerRegistry", workspace.containerRegistry());
        properties.put("publicNetworkAccess", workspace.publicNetworkAccess());
        properties.put("provisioningState", "Succeeded");
        properties.put("creationTime", workspace.createdAt().toString());
        properties.put("keyVault", workspace.keyVault());
        network.describe(workspace, properties);
        return node;
    }
}
