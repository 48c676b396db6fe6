package enclave.serving.gateway;

import enclave.core.PlatformNames;
import enclave.core.ResourceId;
import enclave.serving.deployment.Deployments;
import enclave.serving.endpoint.Endpoints;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.endpoint.ProvisioningState;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's view of every endpoint, by name. The control plane calls {@link #refresh} after each change; requests
 * only read. An endpoint being deleted disappears at once.
 */
public final class RoutingTable {
    private final Map<String, EndpointRoute> byName = new ConcurrentHashMap<>();
    private final PlatformNames names;
    private Endpoints endpoints;
    private Deployments deployments;

    public RoutingTable(PlatformNames names) {
        this.names = names;
    }

    /** Connects the table to its sources; the two services are built with {@link #refresh} as their change callback. */
    public void bind(Endpoints endpoints, Deployments deployments) {
        this.endpoints = endpoints;
        this.deployments = deployments;
    }

    public Optional<EndpointRoute> find(String endpointName) {
        return Optional.ofNullable(byName.get(endpointName.toLowerCase(Locale.ROOT)));
    }

    /** Every route at this instant (for metrics read at scrape time). */
    public java.util.Collection<EndpointRoute> all() {
        return java.util.List.copyOf(byName.values());
    }

    /** Queue depth, restarts and worker processes of every running deployment, for gauges read at scrape time. */
    public java.util.List<enclave.core.metrics.ServingMetrics.DeploymentSample> deploymentSamples() {
        java.util.List<enclave.core.metrics.ServingMetrics.DeploymentSample> samples = new java.util.ArrayList<>();
        for (EndpointRoute route : byName.values()) {
            String workspace = route.id().parent().map(ResourceId::key).orElse("");
            String endpoint = route.endpoint().name().toLowerCase(Locale.ROOT);
            route.deployments().forEach((name, running) -> samples.add(new enclave.core.metrics.ServingMetrics.DeploymentSample(
                    new enclave.core.metrics.SeriesKey(workspace, endpoint, name), running.pendingRequests(), running.restarts(),
                    running.instances().stream().mapToLong(enclave.serving.runtime.InstanceStatus::pid).filter(pid -> pid > 0).boxed().toList())));
        }
        return samples;
    }

    /** Rebuilds the route of one endpoint from the store and the running workers. */
    public synchronized void refresh(ResourceId endpointId) {
        if (endpoints == null) {
            return;
        }
        Optional<OnlineEndpoint> endpoint = endpoints.find(endpointId);
        String key = endpointId.name().toLowerCase(Locale.ROOT);
        if (endpoint.isEmpty() || endpoint.get().provisioningState() == ProvisioningState.Deleting) {
            byName.remove(key);
            return;
        }
        OnlineEndpoint e = endpoint.get();
        Optional<EndpointRoute.Mirror> mirror = e.mirrorTraffic().entrySet().stream()
                .filter(m -> m.getValue() != null && m.getValue() > 0)
                .map(m -> new EndpointRoute.Mirror(m.getKey().toLowerCase(Locale.ROOT), m.getValue()))
                .findFirst();
        NetworkAccess.Target target = new NetworkAccess.Target(NetworkAccess.Kind.ONLINE_ENDPOINT, endpointId.toString(), e.name(),
                !"Disabled".equalsIgnoreCase(e.publicNetworkAccess()), endpointId.parent().map(ResourceId::toString), names.scoringHost(e.name()));
        byName.put(key, new EndpointRoute(endpointId, e, TrafficSplit.of(e.traffic()), mirror, deployments.runningOf(endpointId), target));
    }

    /** Rebuilds every route and drops routes of endpoints that no longer exist (at start, after a workspace is deleted). */
    public synchronized void refreshAll() {
        java.util.Set<String> existing = new java.util.HashSet<>();
        for (OnlineEndpoint endpoint : endpoints.all()) {
            existing.add(endpoint.name().toLowerCase(Locale.ROOT));
            refresh(ResourceId.parse(endpoint.id()));
        }
        byName.keySet().retainAll(existing);
    }
}
