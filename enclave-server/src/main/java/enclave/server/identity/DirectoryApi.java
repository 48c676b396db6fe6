package enclave.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Arm;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.identity.Principal;
import enclave.identity.PrincipalKind;
import enclave.identity.Principals;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The tenant's directory: service principals and users. Making principals is guarded like making role assignments
 * (a principal that cannot grant access gains nothing by creating identities), checked at the platform's subscription.
 */
public final class DirectoryApi {
    private static final String READ = "Microsoft.Authorization/roleAssignments/read";
    private static final String WRITE = "Microsoft.Authorization/roleAssignments/write";

    private final Principals principals;
    private final String tenantId;
    private final String subscriptionId;

    public DirectoryApi(Principals principals, String tenantId, String subscriptionId) {
        this.principals = principals;
        this.tenantId = tenantId;
        this.subscriptionId = subscriptionId;
    }

    public List<Route> routes() {
        Function<Map<String, String>, String> platform = params -> ResourceId.subscription(subscriptionId).toString();
        return List.of(
                Route.of("POST", "/{tenant}/directory/servicePrincipals", WRITE, platform, this::createServicePrincipal),
                Route.of("GET", "/{tenant}/directory/servicePrincipals", READ, platform, call -> list(call, PrincipalKind.SERVICE_PRINCIPAL)),
                Route.of("POST", "/{tenant}/directory/users", WRITE, platform, this::createUser),
                Route.of("GET", "/{tenant}/directory/users", READ, platform, call -> list(call, PrincipalKind.USER)),
                Route.of("GET", "/{tenant}/directory/principals/{idOrName}", READ, platform, call -> {
                    requireTenant(call);
                    Principal principal = principals.lookup(call.param("idOrName")).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound,
                            "no user, service principal or identity is called '" + call.param("idOrName") + "'"));
                    call.json(200, toJson(principal));
                }));
    }

    private void createServicePrincipal(Call call) {
        requireTenant(call);
        JsonNode body = call.body(JsonNode.class);
        String name = Arm.text(body, "displayName").filter(n -> !n.isBlank())
                .orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent, "a service principal needs a displayName"));
        Principals.Created created = principals.createServicePrincipal(tenantId, name);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("appId", created.principal().appId().orElseThrow());
        answer.put("displayName", name);
        answer.put("password", created.secret());
        answer.put("tenant", tenantId);
        answer.put("objectId", created.principal().objectId());
        call.json(201, answer);
    }

    private void createUser(Call call) {
        requireTenant(call);
        JsonNode body = call.body(JsonNode.class);
        Principal user = principals.createUser(tenantId, Arm.text(body, "userPrincipalName").orElse(null), Arm.text(body, "displayName").orElse(null),
                Arm.text(body, "password").orElse(null));
        call.json(201, toJson(user));
    }

    private void list(Call call, PrincipalKind kind) {
        requireTenant(call);
        call.json(200, Map.of("value", principals.list().stream().filter(p -> p.kind() == kind).map(DirectoryApi::toJson).toList()));
    }

    private void requireTenant(Call call) {
        if (!call.param("tenant").equalsIgnoreCase(tenantId)) {
            throw new EnclaveException(ErrorCode.ResourceNotFound, "tenant '" + call.param("tenant") + "' does not exist here; this platform's tenant is " + tenantId);
        }
    }

    static Map<String, Object> toJson(Principal principal) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("objectId", principal.objectId());
        json.put("displayName", principal.displayName());
        principal.appId().ifPresent(appId -> json.put("appId", appId));
        principal.userPrincipalName().ifPresent(upn -> json.put("userPrincipalName", upn));
        json.put("type", switch (principal.kind()) {
            case USER -> "User";
            case SERVICE_PRINCIPAL -> "ServicePrincipal";
            case MANAGED_IDENTITY -> "ManagedIdentity";
        });
        json.put("tenantId", principal.tenantId());
        return json;
    }
}
