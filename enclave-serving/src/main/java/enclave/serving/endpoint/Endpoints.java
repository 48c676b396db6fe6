package enclave.serving.endpoint;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Names;
import enclave.core.ResourceId;
import enclave.serving.deployment.OnlineDeployment;
import enclave.serving.workspace.Workspace;
import enclave.serving.workspace.Workspaces;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Online endpoints: validation, keys, traffic. Every change is published to the gateway through {@code onChange}. */
public final class Endpoints {
    private static final Logger log = LoggerFactory.getLogger(Endpoints.class);
    public static final String TYPE = Workspaces.TYPE + "/onlineEndpoints";
    public static final String DEPLOYMENT_TYPE = TYPE + "/deployments";

    private final ResourceStore store;
    private final Workspaces workspaces;
    private final Clock clock;
    private final EndpointIdentities identities;
    private final Consumer<ResourceId> onChange;
    private final Object lock = new Object();

    public Endpoints(ResourceStore store, Workspaces workspaces, EndpointIdentities identities, Clock clock, Consumer<ResourceId> onChange) {
        this.store = store;
        this.workspaces = workspaces;
        this.identities = identities;
        this.clock = clock;
        this.onChange = onChange;
    }

    public static ResourceId id(ResourceId workspace, String name) {
        return workspace.child("onlineEndpoints", name);
    }

    /** What a create or update asks for; absent fields keep their current value (or Azure's default on create). */
    public record Spec(Optional<String> location, Optional<Map<String, String>> tags, Optional<String> description, Optional<AuthMode> authMode,
            Optional<EndpointIdentities.Request> identity, Optional<String> publicNetworkAccess, Optional<Map<String, Integer>> traffic,
            Optional<Map<String, Integer>> mirrorTraffic, Optional<Boolean> trafficLogging) {}

    /**
     * Creates or updates an endpoint; validates everything before storing anything. Returns whether it was created. A new endpoint
     * gets a system-assigned identity unless the spec names another ({@code createdBy} is recorded on its role assignments).
     */
    public boolean createOrUpdate(ResourceId id, Spec spec, String createdBy) {
        Names.onlineName("endpoint", id.name());
        ResourceId workspaceId = id.parent().orElseThrow();
        Workspace workspace = workspaces.get(workspaceId);
        String publicAccess = spec.publicNetworkAccess().map(Endpoints::publicNetworkAccess).orElse(null);
        synchronized (lock) {
            Optional<OnlineEndpoint> existing = find(id);
            if (existing.isEmpty()) {
                Optional<OnlineEndpoint> sameName = byName(id.name());
                if (sameName.isPresent()) {
                    throw new EnclaveException(ErrorCode.EndpointNameTaken, "endpoint name '" + id.name() + "' is already used by " + sameName.get().id()
                            + "; endpoint names are unique on this platform (their scoring URIs are), pick another name");
                }
                Map<String, Integer> traffic = spec.traffic().orElse(Map.of());
                Map<String, Integer> mirror = spec.mirrorTraffic().orElse(Map.of());
                TrafficRules.validate(id.name(), traffic, mirror, Set.of());
                // Azure's default for a new endpoint is a system-assigned identity.
                EndpointIdentity wanted = identities.validate(spec.identity()
                        .orElse(new EndpointIdentities.Request(EndpointIdentity.SYSTEM_ASSIGNED, List.of())));
                EndpointIdentity identity = identities.create(id, workspace, wanted, createdBy);
                try {
                    store.put(id, new OnlineEndpoint(id.toString(), id.name(), spec.location().orElse("local"), spec.tags().orElse(Map.of()),
                            spec.description().orElse(""), spec.authMode().orElse(AuthMode.Key), identity, publicAccess == null ? "Enabled" : publicAccess,
                            traffic, mirror, ProvisioningState.Succeeded, EndpointKeys.generate(), true, clock.instant()));
                } catch (RuntimeException e) {
                    identities.release(identity);
                    throw e;
                }
                onChange.accept(id);
                return true;
            }
            OnlineEndpoint current = existing.get();
            if (current.provisioningState() == ProvisioningState.Deleting) {
                throw new EnclaveException(ErrorCode.OperationInProgress, "endpoint '" + id.name() + "' is being deleted");
            }
            spec.identity().ifPresent(requested -> EndpointIdentities.requireUnchanged(id.name(), current.identity(), requested));
            Map<String, Integer> traffic = spec.traffic().orElse(current.traffic());
            Map<String, Integer> mirror = spec.mirrorTraffic().orElse(current.mirrorTraffic());
            TrafficRules.validate(id.name(), traffic, mirror, deploymentNames(id));
            store.put(id, new OnlineEndpoint(current.id(), current.name(), current.location(), spec.tags().orElse(current.tags()),
                    spec.description().orElse(current.description()), spec.authMode().orElse(current.authMode()), current.identity(),
                    publicAccess == null ? current.publicNetworkAccess() : publicAccess, traffic, mirror, ProvisioningState.Succeeded, current.keys(),
                    spec.trafficLogging().orElse(current.trafficLogging()), current.createdAt()));
            onChange.accept(id);
            return false;
        }
    }

    public Optional<OnlineEndpoint> find(ResourceId id) {
        return store.get(id, OnlineEndpoint.class);
    }

    public OnlineEndpoint get(ResourceId id) {
        return find(id).orElseThrow(() -> new EnclaveException(ErrorCode.EndpointNotFound, "endpoint '" + id.name() + "' was not found in workspace '"
                + id.parent().map(ResourceId::name).orElse("?") + "'"));
    }

    public Optional<OnlineEndpoint> byName(String name) {
        return store.allOfType(TYPE, OnlineEndpoint.class).stream().filter(e -> e.name().equalsIgnoreCase(name)).findFirst();
    }

    public List<OnlineEndpoint> list(ResourceId workspace) {
        return store.children(workspace, TYPE, OnlineEndpoint.class);
    }

    public List<OnlineEndpoint> all() {
        return store.allOfType(TYPE, OnlineEndpoint.class);
    }

    public EndpointKeys regenerateKey(ResourceId id, String keyType) {
        synchronized (lock) {
            OnlineEndpoint endpoint = get(id);
            requireKeyMode(endpoint, "regenerate keys");
            EndpointKeys keys = endpoint.keys().regenerate(keyType);
            store.put(id, endpoint.withKeys(keys));
            onChange.accept(id);
            return keys;
        }
    }

    public EndpointKeys keys(ResourceId id) {
        OnlineEndpoint endpoint = get(id);
        requireKeyMode(endpoint, "list keys");
        return endpoint.keys();
    }

    /** Marks the endpoint Deleting (the gateway stops routing to it at once). */
    public OnlineEndpoint markDeleting(ResourceId id) {
        synchronized (lock) {
            OnlineEndpoint endpoint = get(id).withState(ProvisioningState.Deleting);
            store.put(id, endpoint);
            onChange.accept(id);
            return endpoint;
        }
    }

    /** Removes the endpoint and everything below it from the store, and its system-assigned identity. Workers must be stopped first. */
    public void remove(ResourceId id) {
        Optional<OnlineEndpoint> endpoint = find(id);
        store.delete(id);
        endpoint.ifPresent(e -> identities.release(e.identity()));
        onChange.accept(id);
    }

    /**
     * Gives endpoints stored before managed identities existed the system-assigned identity Azure gives every new endpoint (with
     * its roles), so their deployments can still pull after an upgrade. Run once at start, before deployments are recovered.
     */
    public void adoptLegacyIdentities() {
        synchronized (lock) {
            for (OnlineEndpoint endpoint : all()) {
                if (!endpoint.identity().isLegacy() || endpoint.provisioningState() == ProvisioningState.Deleting) {
                    continue;
                }
                ResourceId id = ResourceId.parse(endpoint.id());
                Optional<Workspace> workspace = workspaces.find(id.parent().orElseThrow());
                if (workspace.isEmpty()) {
                    continue;
                }
                EndpointIdentity identity = identities.create(id, workspace.get(),
                        identities.validate(new EndpointIdentities.Request(EndpointIdentity.SYSTEM_ASSIGNED, List.of())), "enclave");
                store.put(id, endpoint.withIdentity(identity));
                log.info("endpoint {} was stored before managed identities: gave it system-assigned identity {}", id, identity.principalId().orElseThrow());
            }
        }
    }

    /** Releases the identities of every endpoint of a workspace that is being deleted (the store drops the endpoints with it). */
    public void releaseIdentitiesUnder(ResourceId workspace) {
        list(workspace).forEach(endpoint -> identities.release(endpoint.identity()));
    }

    /** Removes a deployment from the endpoint's traffic maps (used when a deployment is deleted). */
    public Set<String> deploymentNames(ResourceId endpoint) {
        return store.children(endpoint, DEPLOYMENT_TYPE, OnlineDeployment.class).stream()
                .map(d -> d.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    private static void requireKeyMode(OnlineEndpoint endpoint, String what) {
        if (endpoint.authMode() != AuthMode.Key) {
            throw new EnclaveException(ErrorCode.BadRequest, "endpoint '" + endpoint.name() + "' uses auth mode " + endpoint.authMode().yaml()
                    + ", which has no keys to " + what + "; use get-credentials to get a token");
        }
    }

    static String publicNetworkAccess(String value) {
        if (value.equalsIgnoreCase("enabled")) {
            return "Enabled";
        }
        if (value.equalsIgnoreCase("disabled")) {
            return "Disabled";
        }
        throw new EnclaveException(ErrorCode.InvalidRequestContent, "publicNetworkAccess '" + value + "' is not one of Enabled, Disabled");
    }

    static String identityType(String value) {
        return switch (value.replace("_", "").toLowerCase(Locale.ROOT)) {
            case "systemassigned" -> "SystemAssigned";
            case "userassigned" -> "UserAssigned";
            case "none" -> "None";
            default -> throw new EnclaveException(ErrorCode.InvalidRequestContent, "identity type '" + value + "' is not one of SystemAssigned, UserAssigned, None");
        };
    }
}
