package enclave.identity.managed;

import java.time.Instant;
import java.util.Map;

/**
 * A user-assigned managed identity: an ARM resource ({@code Microsoft.ManagedIdentity/userAssignedIdentities}) that owns one
 * principal of kind {@code MANAGED_IDENTITY}. Endpoints name it to act as it; it lives until it is deleted itself.
 *
 * @param principalId the object id of its principal (what role assignments name)
 * @param clientId the application (client) id of its principal (what code names to pick it)
 */
public record UserAssignedIdentity(String id, String name, String location, Map<String, String> tags, String principalId, String clientId,
        String tenantId, Instant createdAt) {
    public static final String TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";

    public UserAssignedIdentity {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
