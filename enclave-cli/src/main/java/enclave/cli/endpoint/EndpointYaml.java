package enclave.cli.endpoint;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** An {@code endpoint.yml} as Azure ML CLI v2 writes it (managedOnlineEndpoint schema). Fields may be null. */
public record EndpointYaml(
        @JsonProperty("$schema") String schema,
        @JsonProperty("name") String name,
        @JsonProperty("description") String description,
        @JsonProperty("tags") Map<String, String> tags,
        @JsonProperty("auth_mode") String authMode,
        @JsonProperty("identity") Identity identity,
        @JsonProperty("public_network_access") String publicNetworkAccess,
        @JsonProperty("traffic") Map<String, Integer> traffic,
        @JsonProperty("mirror_traffic") Map<String, Integer> mirrorTraffic,
        @JsonProperty("kind") String kind) {

    /** {@code identity:} of an endpoint; {@code principal_id} and {@code tenant_id} are what the platform made (read-only). */
    public record Identity(
            @JsonProperty("type") String type,
            @JsonProperty("user_assigned_identities") List<UserAssignedIdentity> userAssignedIdentities,
            @JsonProperty("principal_id") String principalId,
            @JsonProperty("tenant_id") String tenantId) {}

    /** One entry of {@code identity.user_assigned_identities}; only {@code resource_id} is used. */
    public record UserAssignedIdentity(
            @JsonProperty("resource_id") String resourceId,
            @JsonProperty("client_id") String clientId,
            @JsonProperty("object_id") String objectId,
            @JsonProperty("principal_id") String principalId) {}
}
