package enclave.server.network;

import enclave.core.ResourceId;
import enclave.network.dns.DnsServer;
import enclave.network.dns.NetworkDirectory;
import enclave.network.dns.PlatformSuffixes;
import enclave.network.dns.PrivateDnsZones;
import enclave.network.dns.ResolutionPolicy;
import enclave.network.dns.ResolverNetwork;
import enclave.network.dns.ZoneRecord;
import enclave.network.privateendpoint.ConnectionStatus;
import enclave.network.privateendpoint.PrivateEndpoint;
import enclave.network.privateendpoint.PrivateEndpointEvents;
import enclave.network.privateendpoint.PrivateEndpoints;
import enclave.network.vnet.VirtualNetwork;
import enclave.network.vnet.VirtualNetworkEvents;
import enclave.network.vnet.VirtualNetworks;
import enclave.server.fabric.Fabric;
import enclave.serving.gateway.NetworkPath;
import enclave.serving.gateway.PrivateLinkDirectory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes private endpoints real: each one gets a gateway listener on its private IP (the {@link Fabric}), A records in the
 * privatelink zone of its group id in its resource group (a zone group, the zone linked to the endpoint's network as the
 * portal's "integrate with private DNS zone" does), and each virtual network a resolver on its resolver address (the
 * {@link DnsServer}). The gateway's access rule reads connections from an in-memory snapshot rebuilt on every change.
 *
 * <p>Built before the resources it listens to (they take it as their events), then {@link #attach attached} to them.
 */
public final class PrivateNetworking implements PrivateEndpointEvents, VirtualNetworkEvents, PrivateLinkDirectory, NetworkDirectory {
    private static final Logger log = LoggerFactory.getLogger(PrivateNetworking.class);

    private final Fabric fabric;
    private final PlatformSuffixes suffixes;
    private VirtualNetworks networks;
    private PrivateEndpoints endpoints;
    private PrivateDnsZones zones;
    private DnsServer dns;

    private record Snapshot(Map<String, PrivateEndpoint> byId, Map<String, List<PrivateEndpoint>> byTarget, Map<String, VirtualNetwork> networks) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of());
    }

    private volatile Snapshot snapshot = Snapshot.EMPTY;

    public PrivateNetworking(Fabric fabric, PlatformSuffixes suffixes) {
        this.fabric = fabric;
        this.suffixes = suffixes;
    }

    /** Connects to the resources, zones and DNS server once they exist. */
    public void attach(VirtualNetworks networks, PrivateEndpoints endpoints, PrivateDnsZones zones, DnsServer dns) {
        this.networks = networks;
        this.endpoints = endpoints;
        this.zones = zones;
        this.dns = dns;
        refresh();
    }

    /** At start: a resolver for every network and a listener for every private endpoint (listeners live only as long as the process). */
    public void start() {
        refresh();
        for (VirtualNetwork network : snapshot.networks().values()) {
            changed(network);
        }
        for (PrivateEndpoint endpoint : snapshot.byId().values()) {
            bind(endpoint);
        }
    }

    // ---- events from the resources ----

    @Override
    public void changed(VirtualNetwork network) {
        refresh();
        if (dns != null) {
            try {
                dns.addNetwork(resolverOf(network));
            } catch (RuntimeException e) {
                log.error("cannot start the DNS resolver of virtual network {} on {}", network.name(), network.resolverAddress(), e);
            }
        }
    }

    @Override
    public void deleted(VirtualNetwork network) {
        refresh();
        if (dns != null) {
            dns.removeNetwork(network.resourceId());
        }
    }

    @Override
    public void created(PrivateEndpoint endpoint) {
        refresh();
        bind(endpoint);
        registerDns(endpoint);
    }

    @Override
    public void deleted(PrivateEndpoint endpoint) {
        refresh();
        fabric.unbind(endpoint.id());
        try {
            zones.unregisterZoneGroup(endpoint.resourceId());
        } catch (RuntimeException e) {
            log.error("cannot remove the DNS records of private endpoint {}", endpoint.id(), e);
        }
    }

    @Override
    public void connectionChanged(PrivateEndpoint endpoint) {
        refresh();
    }

    private void bind(PrivateEndpoint endpoint) {
        try {
            fabric.bind(pathOf(endpoint));
        } catch (RuntimeException e) {
            log.error("cannot open the listener of private endpoint {} on {}", endpoint.id(), endpoint.privateIpAddress(), e);
        }
    }

    /** The endpoint's zone group: its names as A records in the privatelink zone of its group, linked to its network. */
    private void registerDns(PrivateEndpoint endpoint) {
        Optional<String> zone = zoneOf(endpoint.groupId());
        if (zone.isEmpty()) {
            return;
        }
        try {
            List<ZoneRecord> records = new ArrayList<>();
            for (String fqdn : endpoints.fqdns(endpoint)) {
                relativeName(fqdn, zone.get()).ifPresent(name -> records.add(new ZoneRecord(name, endpoint.privateIpAddress())));
            }
            if (records.isEmpty()) {
                return;
            }
            zones.registerZoneGroup(endpoint.resourceId(), zone.get(), records);
            ResourceId zoneId = PrivateDnsZones.zoneId(endpoint.resourceId().subscription(), endpoint.resourceId().resourceGroup().orElseThrow(), zone.get());
            // A network links to at most one zone of a name (this one, or one in another group): link only when it has none.
            boolean linked = zones.linkedTo(endpoint.virtualNetworkId()).stream()
                    .anyMatch(linkedZone -> linkedZone.origin().toString(true).equalsIgnoreCase(zone.get()));
            if (!linked) {
                zones.link(zoneId, endpoint.virtualNetworkName() + "-link", endpoint.virtualNetworkId(), false, ResolutionPolicy.Default);
            }
        } catch (RuntimeException e) {
            log.error("cannot register the DNS records of private endpoint {}", endpoint.id(), e);
        }
    }

    /** The privatelink zone of a group id, if the platform serves names for it (key stores have no served names). */
    public Optional<String> zoneOf(String groupId) {
        try {
            return Optional.of(suffixes.privateLinkZone(groupId));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code acct.blob.core.windows.net} in {@code privatelink.blob.core.windows.net} is {@code acct}. */
    static Optional<String> relativeName(String fqdn, String privateLinkZone) {
        String suffix = privateLinkZone.toLowerCase(Locale.ROOT).replaceFirst("^privatelink\\.", "");
        String name = fqdn.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        return name.endsWith("." + suffix) ? Optional.of(name.substring(0, name.length() - suffix.length() - 1)) : Optional.empty();
    }

    private NetworkPath.PrivateEndpoint pathOf(PrivateEndpoint endpoint) {
        return new NetworkPath.PrivateEndpoint(endpoint.id(), endpoint.name(), endpoint.virtualNetworkId().toString(), endpoint.virtualNetworkName(),
                endpoint.privateIpAddress());
    }

    /** The listener path of a private endpoint, for the deployment networks that open Unix sockets standing for it. */
    public NetworkPath.PrivateEndpoint path(PrivateEndpoint endpoint) {
        return pathOf(endpoint);
    }

    private static ResolverNetwork resolverOf(VirtualNetwork network) {
        return new ResolverNetwork(network.resourceId(), network.name(), network.resolverAddress());
    }

    private void refresh() {
        if (endpoints == null || networks == null) {
            return;
        }
        Map<String, PrivateEndpoint> byId = new HashMap<>();
        Map<String, List<PrivateEndpoint>> byTarget = new HashMap<>();
        for (PrivateEndpoint endpoint : endpoints.all()) {
            byId.put(endpoint.resourceId().key(), endpoint);
            byTarget.computeIfAbsent(endpoint.targetId().key(), key -> new ArrayList<>()).add(endpoint);
        }
        Map<String, VirtualNetwork> byNetwork = new HashMap<>();
        for (VirtualNetwork network : networks.all()) {
            byNetwork.put(network.resourceId().key(), network);
        }
        snapshot = new Snapshot(Map.copyOf(byId), Map.copyOf(byTarget), Map.copyOf(byNetwork));
    }

    // ---- what the DNS view and the public names ask ----

    /** Whether the resource has private endpoints that make its public name an alias of its privatelink name. */
    public boolean hasPrivateEndpoints(ResourceId target) {
        return snapshot.byTarget().getOrDefault(target.key(), List.of()).stream()
                .anyMatch(endpoint -> endpoint.status() == ConnectionStatus.Approved || endpoint.status() == ConnectionStatus.Pending);
    }

    @Override
    public Optional<ResolverNetwork> find(ResourceId virtualNetwork) {
        return Optional.ofNullable(snapshot.networks().get(virtualNetwork.key())).map(PrivateNetworking::resolverOf);
    }

    @Override
    public List<ResolverNetwork> all() {
        return snapshot.networks().values().stream().map(PrivateNetworking::resolverOf).toList();
    }

    // ---- the gateway's directory ----

    @Override
    public Optional<Connection> connectionOf(String privateEndpointId) {
        PrivateEndpoint endpoint = snapshot.byId().get(ResourceId.parse(privateEndpointId).key());
        if (endpoint == null) {
            return Optional.empty();
        }
        return Optional.of(new Connection(endpoint.id(), endpoint.targetConnectionId().toString(), endpoint.targetId().toString(), endpoint.groupId(),
                status(endpoint.status())));
    }

    @Override
    public List<ConnectedEndpoint> endpointsOf(String targetId) {
        List<ConnectedEndpoint> connected = new ArrayList<>();
        for (PrivateEndpoint endpoint : snapshot.byTarget().getOrDefault(ResourceId.parse(targetId).key(), List.of())) {
            if (endpoint.tags().containsKey(ManagedDeploymentNetworks.MANAGED_BY_TAG)) {
                continue; // a deployment's own network: no client can be put there, so it is no way in to suggest
            }
            VirtualNetwork network = snapshot.networks().get(endpoint.virtualNetworkId().key());
            connected.add(new ConnectedEndpoint(endpoint.id(), endpoint.name(), endpoint.virtualNetworkName(),
                    network == null ? "?" : network.resolverAddress(), endpoint.privateIpAddress(), endpoint.targetConnectionId().toString(),
                    status(endpoint.status())));
        }
        return connected;
    }

    private static Status status(ConnectionStatus status) {
        return Status.valueOf(status.name());
    }
}
