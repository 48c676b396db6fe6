package enclave.identity;

import java.util.Optional;

/**
 * A directory object. {@code appId} is the client id of service principals and managed identities;
 * {@code userPrincipalName} the sign-in name of users.
 */
public record Principal(String objectId, String tenantId, PrincipalKind kind, Optional<String> appId, String displayName,
        Optional<String> userPrincipalName) {
    public Principal(String objectId, String tenantId, PrincipalKind kind, Optional<String> appId, String displayName) {
        this(objectId, tenantId, kind, appId, displayName, Optional.empty());
    }

    /** The principal type Azure shows in role assignments. */
    public String principalType() {
        return switch (kind) {
            case USER -> "User";
            case SERVICE_PRINCIPAL, MANAGED_IDENTITY -> "ServicePrincipal";
        };
    }
}
