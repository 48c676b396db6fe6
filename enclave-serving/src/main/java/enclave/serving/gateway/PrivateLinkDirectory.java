package enclave.serving.gateway;

import java.util.List;
import java.util.Optional;

/**
 * What the gateway's access rule needs to know about private endpoints and their connections. The network module
 * implements it over its resources (read from in-memory snapshots: the gateway calls it per request on private paths and
 * on refusals); {@link #NONE} is the platform without private endpoints.
 */
public interface PrivateLinkDirectory {
    /** The approval state of a private endpoint connection, as Azure names it. */
    enum Status {
        Pending,
        Approved,
        Rejected,
        Disconnected
    }

    /**
     * A private endpoint's connection to its target.
     *
     * @param connectionId the ARM id {@code <target>/privateEndpointConnections/<name>} (what approve takes)
     * @param targetId the ARM id of the resource the private endpoint connects to
     * @param groupId the sub-resource ({@code amlworkspace}, {@code blob}, {@code registry}, {@code prometheusMetrics})
     */
    record Connection(String privateEndpointId, String connectionId, String targetId, String groupId, Status status) {}

    /**
     * A private endpoint connected (in any state) to a target, with what a client in its network needs to reach it.
     *
     * @param resolverAddress the DNS resolver of the private endpoint's virtual network (its first prefix + 2)
     */
    record ConnectedEndpoint(String privateEndpointId, String privateEndpointName, String virtualNetworkName, String resolverAddress, String privateIp,
            String connectionId, Status status) {}

    /** The connection of the private endpoint {@code privateEndpointId}, if the endpoint exists. */
    Optional<Connection> connectionOf(String privateEndpointId);

    /** Every private endpoint connected to {@code targetId} (any state) that a client could use, oldest first (platform-managed ones left out). */
    List<ConnectedEndpoint> endpointsOf(String targetId);

    /** No private endpoints at all. */
    PrivateLinkDirectory NONE = new PrivateLinkDirectory() {
        @Override
        public Optional<Connection> connectionOf(String privateEndpointId) {
            return Optional.empty();
        }

        @Override
        public List<ConnectedEndpoint> endpointsOf(String targetId) {
            return List.of();
        }
    };
}
