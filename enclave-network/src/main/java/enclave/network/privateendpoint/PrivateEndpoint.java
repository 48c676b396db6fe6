package enclave.network.privateendpoint;

import enclave.core.ResourceId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A private endpoint as stored: a private IP in a subnet, connected to one sub-resource ({@code groupId}) of one target.
 * The connection's approval state lives here too; the target shows it as {@code {target}/privateEndpointConnections/{targetConnectionName}}.
 *
 * @param virtualNetwork the ARM id of the subnet's network
 * @param connectionName the name of the connection on the private endpoint's side ({@code --connection-name})
 * @param targetConnectionName the name of the connection resource below the target
 * @param manualRequest whether the requester asked for manual approval ({@code manualPrivateLinkServiceConnections})
 */
public record PrivateEndpoint(String id, String name, String location, Map<String, String> tags, String virtualNetwork, String subnet, String privateIpAddress,
        String target, String groupId, String connectionName, String targetConnectionName, boolean manualRequest, String requestMessage,
        ConnectionStatus status, String statusDescription, Instant createdAt) {
    public static final String TYPE = "Microsoft.Network/privateEndpoints";

    public PrivateEndpoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        requestMessage = requestMessage == null ? "" : requestMessage;
        statusDescription = statusDescription == null ? "" : statusDescription;
    }

    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }

    public ResourceId virtualNetworkId() {
        return ResourceId.parse(virtualNetwork);
    }

    public String virtualNetworkName() {
        return virtualNetworkId().name();
    }

    public ResourceId subnetId() {
        return ResourceId.parse(subnet);
    }

    public ResourceId targetId() {
        return ResourceId.parse(target);
    }

    /** The id of the connection resource below the target. */
    public ResourceId targetConnectionId() {
        return targetId().child("privateEndpointConnections", targetConnectionName);
    }

    /** Whether traffic may flow through it: only an approved connection carries traffic. */
    public boolean approved() {
        return status == ConnectionStatus.Approved;
    }

    PrivateEndpoint withStatus(ConnectionStatus newStatus, String description) {
        return new PrivateEndpoint(id, name, location, tags, virtualNetwork, subnet, privateIpAddress, target, groupId, connectionName, targetConnectionName,
                manualRequest, requestMessage, newStatus, description, createdAt);
    }

    PrivateEndpoint withTags(Map<String, String> newTags) {
        return new PrivateEndpoint(id, name, location, newTags, virtualNetwork, subnet, privateIpAddress, target, groupId, connectionName, targetConnectionName,
                manualRequest, requestMessage, status, statusDescription, createdAt);
    }
}
