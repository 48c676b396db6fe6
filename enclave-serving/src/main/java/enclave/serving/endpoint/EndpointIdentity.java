package enclave.serving.endpoint;

import java.util.List;
import java.util.Optional;

/**
 * The managed identity of an endpoint, fixed at creation: none, a system-assigned one (a principal made with the endpoint and
 * deleted with it), or user-assigned ones (principals of {@code Microsoft.ManagedIdentity/userAssignedIdentities} resources).
 *
 * @param type {@code SystemAssigned}, {@code UserAssigned} or {@code None}
 * @param principalId the system-assigned principal's object id
 * @param clientId the system-assigned principal's client id
 * @param userAssigned the user-assigned identities, in the order the endpoint named them
 */
public record EndpointIdentity(String type, String tenantId, Optional<String> principalId, Optional<String> clientId, List<Assigned> userAssigned) {
    public static final String SYSTEM_ASSIGNED = "SystemAssigned";
    public static final String USER_ASSIGNED = "UserAssigned";
    public static final String NONE = "None";

    /** One user-assigned identity as the endpoint holds it: its resource id and its principal. */
    public record Assigned(String resourceId, String principalId, String clientId) {}

    /** A principal the endpoint's code can act as. */
    public record Acting(String principalId, String clientId, String description) {}

    public EndpointIdentity {
        principalId = principalId == null ? Optional.empty() : principalId;
        clientId = clientId == null ? Optional.empty() : clientId;
        userAssigned = userAssigned == null ? List.of() : List.copyOf(userAssigned);
        tenantId = tenantId == null ? "" : tenantId;
    }

    public static EndpointIdentity none(String tenantId) {
        return new EndpointIdentity(NONE, tenantId, Optional.empty(), Optional.empty(), List.of());
    }

    /** What an endpoint stored before managed identities existed reads as: none, and no tenant (which no other identity lacks). */
    static EndpointIdentity legacy() {
        return none("");
    }

    /** Whether this endpoint was stored before managed identities existed (see {@code Endpoints.adoptLegacyIdentities}). */
    public boolean isLegacy() {
        return type.equals(NONE) && tenantId.isEmpty();
    }

    /**
     * Whom the storage initializer pulls as, and whom a token request without a client id gets: the system-assigned identity,
     * else the first user-assigned one (Azure picks the one its {@code UAI_CLIENT_ID}-like setting names; Enclave keeps it simple).
     */
    public Optional<Acting> primary() {
        if (principalId.isPresent()) {
            return Optional.of(new Acting(principalId.get(), clientId.orElse(""), "the system-assigned identity (principal " + principalId.get() + ")"));
        }
        return userAssigned.stream().findFirst().map(a -> new Acting(a.principalId(), a.clientId(),
                "the user-assigned identity " + a.resourceId() + " (principal " + a.principalId() + ")"));
    }

    /** Every principal the endpoint's code may act as. */
    public List<Acting> all() {
        List<Acting> result = new java.util.ArrayList<>();
        primary().filter(a -> principalId.isPresent()).ifPresent(result::add);
        userAssigned.forEach(a -> result.add(new Acting(a.principalId(), a.clientId(), "the user-assigned identity " + a.resourceId())));
        return result;
    }
}
