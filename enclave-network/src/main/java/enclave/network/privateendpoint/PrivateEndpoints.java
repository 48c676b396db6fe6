package enclave.network.privateendpoint;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.network.NetworkNames;
import enclave.core.http.Caller;
import enclave.network.vnet.IpAllocation;
import enclave.network.vnet.Subnet;
import enclave.network.vnet.VirtualNetworks;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Private endpoints and their connections. A private endpoint takes the lowest free address of a subnet whose private
 * endpoint network policies are disabled, and asks its target for a connection: approved at once when the requester
 * may approve connections on the target and did not ask for manual approval, pending otherwise until someone who may
 * approves or rejects it. Only approved connections carry traffic (the gateway enforces it; this class keeps the state).
 */
public final class PrivateEndpoints {
    private static final String NAMESPACE = "Microsoft.Network";
    public static final String SUBNET_JOIN = "Microsoft.Network/virtualNetworks/subnets/join/action";

    private final ResourceStore store;
    private final VirtualNetworks networks;
    private final PrivateLinkTargets targets;
    private final Authorizer authorizer;
    private final Predicate<ResourceId> resourceGroupExists;
    private final PrivateEndpointEvents events;
    private final Clock clock;
    private final ReentrantLock writes = new ReentrantLock();

    public PrivateEndpoints(ResourceStore store, VirtualNetworks networks, PrivateLinkTargets targets, Authorizer authorizer,
            Predicate<ResourceId> resourceGroupExists, PrivateEndpointEvents events, Clock clock) {
        this.store = store;
        this.networks = networks;
        this.targets = targets;
        this.authorizer = authorizer;
        this.resourceGroupExists = resourceGroupExists;
        this.events = events;
        this.clock = clock;
    }

    public static ResourceId id(String subscription, String resourceGroup, String name) {
        return ResourceId.of(subscription, resourceGroup, NAMESPACE, "privateEndpoints", name);
    }

    /** The action that lets a principal approve or reject connections to a target of {@code targetType}. */
    public static String approvalAction(String targetType) {
        return targetType + "/privateEndpointConnectionsApproval/action";
    }

    /**
     * What a private endpoint asks for.
     *
     * @param location empty: the virtual network's
     * @param manualRequest ask for approval even when the requester could approve
     */
    public record Request(Optional<String> location, Map<String, String> tags, ResourceId subnet, ResourceId target, String groupId, String connectionName,
            boolean manualRequest, String requestMessage) {}

    /**
     * Creates the private endpoint (or updates the tags of an identical one). Validates fully before it takes an address.
     *
     * @param caller who asks; decides the approval and must be allowed to join the subnet
     */
    public PrivateEndpoint create(Caller caller, ResourceId id, Request request) {
        if (!id.type().equalsIgnoreCase(PrivateEndpoint.TYPE)) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + id + "' is not a private endpoint id");
        }
        NetworkNames.check(id.name(), "private endpoint");
        NetworkNames.check(request.connectionName(), "connection");
        ResourceId group = id.parent().orElseThrow();
        if (!resourceGroupExists.test(group)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotFound, "resource group '" + group.name() + "' was not found; create it with: enclave group create -n "
                    + group.name());
        }
        writes.lock();
        try {
            Optional<PrivateEndpoint> existing = find(id);
            if (existing.isPresent()) {
                return update(existing.get(), request);
            }
            Subnet subnet = networks.getSubnet(request.subnet());
            ResourceId networkId = request.subnet().parent().orElseThrow();
            if (!subnet.privateEndpointsAllowed()) {
                throw new EnclaveException(ErrorCode.PrivateEndpointNetworkPoliciesEnabled, "subnet '" + subnet.name() + "' of virtual network '"
                        + networkId.name() + "' has privateEndpointNetworkPolicies Enabled, so private endpoints cannot be placed in it; disable them with: "
                        + "enclave network vnet subnet update -g " + networkId.resourceGroup().orElse("?") + " --vnet-name " + networkId.name() + " -n "
                        + subnet.name() + " --private-endpoint-network-policies Disabled");
            }
            if (authorizer.check(caller, SUBNET_JOIN, request.subnet()) instanceof Decision.Denied denied) {
                throw new EnclaveException(ErrorCode.AuthorizationFailed, "the client '" + caller.displayName() + "' may not place a private endpoint in subnet '"
                        + subnet.name() + "': action '" + SUBNET_JOIN + "' over scope '" + request.subnet() + "' is not granted (" + denied.reason() + ")");
            }
            PrivateLinkTarget kind = targets.of(request.target());
            if (!kind.exists(request.target())) {
                throw new EnclaveException(ErrorCode.ResourceNotFound, "the private connection resource " + kind.display(request.target()) + " was not found ("
                        + request.target() + "); check --private-connection-resource-id");
            }
            String groupId = kind.groupIds().stream().filter(g -> g.equalsIgnoreCase(request.groupId())).findFirst().orElseThrow(() -> new EnclaveException(
                    ErrorCode.InvalidGroupId, "group id '" + request.groupId() + "' is not valid for " + kind.display(request.target()) + " ("
                            + kind.resourceType() + "); valid group ids: " + kind.groupIds()));
            String targetConnectionName = id.name() + "." + request.connectionName();
            ResourceId connectionId = request.target().child("privateEndpointConnections", targetConnectionName);
            if (store.get(connectionId, PrivateEndpointConnection.class).isPresent()) {
                throw new EnclaveException(ErrorCode.Conflict, kind.display(request.target()) + " already has a private endpoint connection named '"
                        + targetConnectionName + "' (from another private endpoint named '" + id.name() + "'); choose another --connection-name");
            }
            boolean mayApprove = authorizer.check(caller, approvalAction(kind.resourceType()), request.target()) instanceof Decision.Allowed;
            boolean approved = mayApprove && !request.manualRequest();
            IpAllocation address = networks.allocate(request.subnet(), id);
            PrivateEndpoint endpoint = new PrivateEndpoint(id.toString(), id.name(),
                    request.location().orElseGet(() -> networks.get(networkId).location()), request.tags(), networkId.toString(), subnet.id(),
                    address.address(), request.target().toString(), groupId, request.connectionName(), targetConnectionName, request.manualRequest(),
                    request.requestMessage(), approved ? ConnectionStatus.Approved : ConnectionStatus.Pending,
                    approved ? "Auto-Approved" : "Awaiting approval by someone who may approve connections to " + kind.display(request.target()), clock.instant());
            try {
                store.put(id, endpoint);
                store.put(connectionId, new PrivateEndpointConnection(connectionId.toString(), targetConnectionName, request.target().toString(), id.toString()));
            } catch (RuntimeException e) {
                store.delete(connectionId);
                store.delete(id);
                networks.release(request.subnet(), address.address());
                throw e;
            }
            events.created(endpoint);
            return endpoint;
        } finally {
            writes.unlock();
        }
    }

    private PrivateEndpoint update(PrivateEndpoint existing, Request request) {
        if (!existing.subnetId().key().equals(request.subnet().key()) || !existing.targetId().key().equals(request.target().key())
                || !existing.groupId().equalsIgnoreCase(request.groupId()) || !existing.connectionName().equals(request.connectionName())) {
            throw new EnclaveException(ErrorCode.Conflict, "private endpoint '" + existing.name() + "' already exists with another subnet, target, group id or "
                    + "connection name; a private endpoint's connection cannot change: delete it and create it again");
        }
        PrivateEndpoint updated = existing.withTags(request.tags());
        store.put(existing.resourceId(), updated);
        return updated;
    }

    public Optional<PrivateEndpoint> find(ResourceId id) {
        return store.get(id, PrivateEndpoint.class).map(this::current);
    }

    /**
     * The endpoint with its connection's real state: a connection lives below its target, so when the target is deleted
     * (a workspace, a storage account) the connection goes with it and the endpoint is Disconnected.
     */
    private PrivateEndpoint current(PrivateEndpoint stored) {
        return current(stored, store.get(stored.targetConnectionId(), PrivateEndpointConnection.class).isPresent());
    }

    private static PrivateEndpoint current(PrivateEndpoint stored, boolean connectionExists) {
        if (stored.status() == ConnectionStatus.Disconnected || connectionExists) {
            return stored;
        }
        return stored.withStatus(ConnectionStatus.Disconnected, "The private link resource was deleted");
    }

    /** Endpoints with their real state, reading the connections of every target kind at once (not one read per endpoint). */
    private List<PrivateEndpoint> current(List<PrivateEndpoint> stored) {
        java.util.Set<String> connections = new java.util.HashSet<>();
        for (PrivateLinkTarget kind : targets.all()) {
            store.allOfType(PrivateEndpointConnection.type(kind.resourceType()), PrivateEndpointConnection.class)
                    .forEach(connection -> connections.add(ResourceId.parse(connection.id()).key()));
        }
        return stored.stream().map(endpoint -> current(endpoint, connections.contains(endpoint.targetConnectionId().key()))).toList();
    }

    public PrivateEndpoint get(ResourceId id) {
        return find(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "private endpoint '" + id.name() + "' was not found in resource group '"
                + id.resourceGroup().orElse("?") + "'"));
    }

    /** Every private endpoint of the platform, in creation order. */
    public List<PrivateEndpoint> all() {
        return current(store.allOfType(PrivateEndpoint.TYPE, PrivateEndpoint.class));
    }

    public List<PrivateEndpoint> list(ResourceId resourceGroup) {
        return current(store.children(resourceGroup, PrivateEndpoint.TYPE, PrivateEndpoint.class));
    }

    /** The private endpoints connected (in any state) to {@code target}; only {@link PrivateEndpoint#approved()} ones carry traffic. */
    public List<PrivateEndpoint> connectedTo(ResourceId target) {
        String key = target.key();
        java.util.Set<String> connections = new java.util.HashSet<>();
        store.children(target, PrivateEndpointConnection.type(target.type()), PrivateEndpointConnection.class)
                .forEach(connection -> connections.add(ResourceId.parse(connection.id()).key()));
        return store.allOfType(PrivateEndpoint.TYPE, PrivateEndpoint.class).stream().filter(endpoint -> endpoint.targetId().key().equals(key))
                .map(endpoint -> current(endpoint, connections.contains(endpoint.targetConnectionId().key()))).toList();
    }

    /** Deletes the private endpoint, its connection on the target and its address. Returns whether it existed. */
    public boolean delete(ResourceId id) {
        writes.lock();
        try {
            Optional<PrivateEndpoint> found = find(id);
            if (found.isEmpty()) {
                return false;
            }
            PrivateEndpoint endpoint = found.get();
            store.delete(endpoint.targetConnectionId());
            store.delete(id);
            networks.release(endpoint.subnetId(), endpoint.privateIpAddress());
            events.deleted(endpoint);
            return true;
        } finally {
            writes.unlock();
        }
    }

    /** A connection below a target together with its private endpoint. */
    public record Connection(PrivateEndpointConnection connection, PrivateEndpoint endpoint) {}

    /** The connections of a target, in creation order. */
    public List<Connection> connections(ResourceId target) {
        PrivateLinkTarget kind = existingTarget(target);
        return store.children(target, PrivateEndpointConnection.type(kind.resourceType()), PrivateEndpointConnection.class).stream()
                .flatMap(connection -> find(ResourceId.parse(connection.privateEndpoint())).map(pe -> new Connection(connection, pe)).stream())
                .toList();
    }

    public Connection connection(ResourceId target, String name) {
        PrivateLinkTarget kind = existingTarget(target);
        ResourceId id = target.child("privateEndpointConnections", name);
        return store.get(id, PrivateEndpointConnection.class)
                .flatMap(connection -> find(ResourceId.parse(connection.privateEndpoint())).map(pe -> new Connection(connection, pe)))
                .orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "private endpoint connection '" + name + "' was not found on "
                        + kind.display(target) + "; list them with: enclave network private-endpoint-connection list --id " + target));
    }

    /**
     * Approves or rejects a connection (the caller's permission is checked by the route). A rejected connection stays
     * rejected, as in Azure: the requester deletes the private endpoint and asks again.
     */
    public Connection setStatus(ResourceId target, String name, ConnectionStatus status, String description) {
        if (status != ConnectionStatus.Approved && status != ConnectionStatus.Rejected) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "a connection can be set to Approved or Rejected, not " + status
                    + " (delete it to disconnect the private endpoint)");
        }
        writes.lock();
        try {
            Connection current = connection(target, name);
            PrivateEndpoint endpoint = current.endpoint();
            if (endpoint.status() == ConnectionStatus.Rejected && status == ConnectionStatus.Approved) {
                throw new EnclaveException(ErrorCode.Conflict, "private endpoint connection '" + name + "' was rejected and cannot be approved; the requester "
                        + "deletes private endpoint '" + endpoint.name() + "' and creates it again");
            }
            if (endpoint.status() == status) {
                return current;
            }
            String text = description == null || description.isBlank() ? (status == ConnectionStatus.Approved ? "Approved" : "Rejected") : description;
            PrivateEndpoint changed = endpoint.withStatus(status, text);
            store.put(changed.resourceId(), changed);
            events.connectionChanged(changed);
            return new Connection(current.connection(), changed);
        } finally {
            writes.unlock();
        }
    }

    /** Deletes a target's connection; the private endpoint stays, Disconnected. Returns whether it existed. */
    public boolean deleteConnection(ResourceId target, String name) {
        writes.lock();
        try {
            existingTarget(target);
            ResourceId id = target.child("privateEndpointConnections", name);
            Optional<PrivateEndpointConnection> connection = store.get(id, PrivateEndpointConnection.class);
            if (connection.isEmpty()) {
                return false;
            }
            store.delete(id);
            Optional<PrivateEndpoint> endpoint = find(ResourceId.parse(connection.get().privateEndpoint()));
            if (endpoint.isPresent()) {
                PrivateEndpoint changed = endpoint.get().withStatus(ConnectionStatus.Disconnected, "The private endpoint connection was deleted by the target's owner");
                store.put(changed.resourceId(), changed);
                events.connectionChanged(changed);
            }
            return true;
        } finally {
            writes.unlock();
        }
    }

    /** The public names the endpoint serves, from its target's kind. */
    public List<String> fqdns(PrivateEndpoint endpoint) {
        return targets.forType(endpoint.targetId().type()).map(kind -> kind.fqdns(endpoint.targetId(), endpoint.groupId())).orElse(List.of());
    }

    private PrivateLinkTarget existingTarget(ResourceId target) {
        PrivateLinkTarget kind = targets.of(target);
        if (!kind.exists(target)) {
            throw new EnclaveException(ErrorCode.ResourceNotFound, kind.display(target) + " was not found (" + target + ")");
        }
        return kind;
    }

    static String normalizeStatus(String status) {
        for (ConnectionStatus value : ConnectionStatus.values()) {
            if (value.name().equalsIgnoreCase(status)) {
                return value.name();
            }
        }
        throw new EnclaveException(ErrorCode.InvalidRequestContent, "status '" + status + "' is invalid: use Approved or Rejected");
    }
}
