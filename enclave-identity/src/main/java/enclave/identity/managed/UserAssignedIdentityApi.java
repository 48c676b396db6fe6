package enclave.identity.managed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.util.List;
import java.util.Map;

/** The ARM REST mapping of user-assigned identities (management listener). */
public final class UserAssignedIdentityApi {
    private static final String GROUP = "/subscriptions/{sub}/resourceGroups/{rg}";
    private static final String COLLECTION = GROUP + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities";
    private static final String IDENTITY = COLLECTION + "/{name}";
    private static final String ACTION = UserAssignedIdentity.TYPE + "/";

    private final UserAssignedIdentities identities;

    public UserAssignedIdentityApi(UserAssignedIdentities identities) {
        this.identities = identities;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("PUT", IDENTITY, ACTION + "write", this::put),
                Route.of("GET", IDENTITY, ACTION + "read", call -> call.json(200, toArm(identities.get(id(call))))),
                Route.of("DELETE", IDENTITY, ACTION + "delete", call -> call.empty(identities.delete(id(call)) ? 200 : 204, Map.of())),
                Route.of("GET", COLLECTION, ACTION + "read", p -> Route.expand(GROUP, p), call -> call.json(200,
                        Arm.list(identities.list(ResourceId.resourceGroup(call.param("sub"), call.param("rg"))).stream()
                                .map(UserAssignedIdentityApi::toArm).toList()))));
    }

    private static ResourceId id(Call call) {
        return UserAssignedIdentities.id(call.param("sub"), call.param("rg"), call.param("name"));
    }

    private void put(Call call) {
        JsonNode body = call.body(JsonNode.class);
        ResourceId id = id(call);
        boolean created = identities.createOrUpdate(id, Arm.text(body, "location").orElse("local"), Arm.stringMap(body, "tags").orElse(Map.of()));
        call.json(created ? 201 : 200, toArm(identities.get(id)));
    }

    /** Azure's shape: {@code {"id","name","type","location","tags","properties":{"principalId","clientId","tenantId"}}}. */
    public static ObjectNode toArm(UserAssignedIdentity identity) {
        ObjectNode node = Arm.envelope(ResourceId.parse(identity.id()), identity.location(), identity.tags());
        ObjectNode properties = Arm.properties(node);
        properties.put("principalId", identity.principalId());
        properties.put("clientId", identity.clientId());
        properties.put("tenantId", identity.tenantId());
        return node;
    }
}
