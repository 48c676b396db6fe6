package enclave.server.resourcegroup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Names;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Resource groups (Microsoft.Resources). Deleting a group that still holds resources is refused. */
public final class ResourceGroupApi {
    public static final String TYPE = "Microsoft.Resources/resourceGroups";
    private static final String GROUPS = "/subscriptions/{sub}/resourcegroups";
    private static final String GROUP = GROUPS + "/{rg}";

    private final ResourceStore store;
    private final Clock clock;

    public ResourceGroupApi(ResourceStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public boolean exists(ResourceId group) {
        return store.get(group, ResourceGroup.class).isPresent();
    }

    /** Creates the group unless it exists (the platform's own managed groups). */
    public ResourceId ensure(String subscription, String name, String location, Map<String, String> tags) {
        ResourceId id = ResourceId.resourceGroup(subscription, name);
        Names.resourceGroupName(name);
        if (store.get(id, ResourceGroup.class).isEmpty()) {
            store.put(id, new ResourceGroup(id.toString(), name, location, tags, clock.instant()));
        }
        return id;
    }

    /** Deletes the group if it holds nothing any more; returns whether it is gone. */
    public boolean deleteIfEmpty(ResourceId id) {
        if (store.hasDescendants(id)) {
            return false;
        }
        store.delete(id);
        return true;
    }

    public List<Route> routes() {
        String action = "Microsoft.Resources/subscriptions/resourceGroups/";
        return List.of(
                Route.of("PUT", GROUP, action + "write", this::put),
                Route.of("GET", GROUP, action + "read", call -> call.json(200, toArm(get(id(call))))),
                Route.of("DELETE", GROUP, action + "delete", this::delete),
                Route.of("GET", GROUPS, action + "read", call -> call.json(200, Arm.list(
                        store.children(ResourceId.subscription(call.param("sub")), TYPE, ResourceGroup.class).stream().map(ResourceGroupApi::toArm).toList()))));
    }

    private static ResourceId id(Call call) {
        return ResourceId.resourceGroup(call.param("sub"), call.param("rg"));
    }

    private ResourceGroup get(ResourceId id) {
        return store.get(id, ResourceGroup.class).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceGroupNotFound,
                "resource group '" + id.name() + "' was not found; create it with: enclave group create -n " + id.name()));
    }

    private void put(Call call) {
        ResourceId id = id(call);
        Names.resourceGroupName(id.name());
        JsonNode body = call.body(JsonNode.class);
        var existing = store.get(id, ResourceGroup.class);
        ResourceGroup group = new ResourceGroup(id.toString(), id.name(), existing.map(ResourceGroup::location).orElse(Arm.text(body, "location").orElse("local")),
                Arm.stringMap(body, "tags").orElse(existing.map(ResourceGroup::tags).orElse(Map.of())), existing.map(ResourceGroup::createdAt).orElse(clock.instant()));
        store.put(id, group);
        call.json(existing.isPresent() ? 200 : 201, toArm(group));
    }

    private void delete(Call call) {
        ResourceId id = id(call);
        if (store.get(id, ResourceGroup.class).isEmpty()) {
            call.empty(204, Map.of());
            return;
        }
        if (store.hasDescendants(id)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotEmpty, "resource group '" + id.name()
                    + "' still holds resources; delete them first (enclave ml workspace list -g " + id.name() + ")");
        }
        store.delete(id);
        call.empty(200, Map.of());
    }

    private static ObjectNode toArm(ResourceGroup group) {
        ObjectNode node = Arm.envelope(ResourceId.parse(group.id()), group.location(), group.tags());
        Arm.properties(node).put("provisioningState", "Succeeded");
        return node;
    }
}
