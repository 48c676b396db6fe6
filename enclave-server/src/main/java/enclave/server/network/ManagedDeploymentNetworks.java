package enclave.server.network;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.FileTrees;
import enclave.core.Hashes;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.network.dns.DnsServer;
import enclave.network.dns.PrivateDnsZone;
import enclave.network.dns.PrivateDnsZones;
import enclave.network.dns.UnixDnsListener;
import enclave.network.dns.VirtualNetworkLink;
import enclave.network.privateendpoint.ConnectionStatus;
import enclave.network.privateendpoint.PrivateEndpoint;
import enclave.network.privateendpoint.PrivateEndpoints;
import enclave.network.vnet.IpPrefix;
import enclave.network.vnet.VirtualNetwork;
import enclave.network.vnet.VirtualNetworks;
import enclave.server.fabric.Fabric;
import enclave.server.resourcegroup.ResourceGroupApi;
import enclave.serving.deployment.DeploymentNetworks;
import enclave.serving.deployment.OnlineDeployment;
import enclave.serving.gateway.NetworkPath;
import enclave.serving.identity.ManagedIdentityEndpoint;
import enclave.serving.runtime.PythonWorkerRuntime;
import enclave.serving.runtime.WorkerNetwork;
import enclave.serving.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where deployments' workers sit on the network (issue 7, "deployment egress").
 *
 * <p>{@code egress_public_network_access: disabled}: a network managed for the deployment ({@code mvnet-<hash>}, a /24 from
 * {@link #POOL}) in a resource group of its own ({@code <endpoint>-<deployment>-network}, so its private DNS zones are its
 * own too: another deployment's records never answer here) with three private endpoints, to the workspace ({@code amlworkspace}),
 * its default storage ({@code blob}) and its registry ({@code registry}), made as the platform and so approved at once;
 * their zone groups put the names into the network's view. Workers run in their own network namespace where only the
 * sandbox's relays exist: each private endpoint's IP on ports 443 and the gateway port, relayed to a Unix socket of the
 * gateway that stands for that private endpoint; the network's resolver on port 53, relayed to the DNS server's view of the
 * network; and {@code 127.0.0.1:46808}, relayed to the management plane (managed-identity tokens). Nothing else is reachable.
 *
 * <p>Egress enabled: workers share the host network; where the server runs as root and its DNS is on port 53, they also get
 * their own mount namespace whose {@code /etc/resolv.conf} names the platform's resolver, so Azure names resolve to the
 * platform as on Azure. Everything managed is removed with the deployment.
 */
public final class ManagedDeploymentNetworks implements DeploymentNetworks {
    private static final Logger log = LoggerFactory.getLogger(ManagedDeploymentNetworks.class);
    /** Managed networks are /24s from here on (127.224.0.0 - 127.255.255.0): far from where people put their own. */
    static final IpPrefix POOL = IpPrefix.parse("127.224.0.0/11");
    static final int MANAGEMENT_RELAY_PORT = 46808;
    static final String MANAGED_BY_TAG = "enclave-managed-by";

    private record Link(String suffix, String groupId) {}

    private static final List<Link> LINKS = List.of(new Link("ws", "amlworkspace"), new Link("blob", "blob"), new Link("acr", "registry"));

    /** What a deployment's network holds open in this process: its Unix sockets and its DNS listener. */
    private record Opened(List<Path> sockets, UnixDnsListener dns, WorkerNetwork.Isolated network) {}

    private final Path root;
    private final Fabric fabric;
    private final PythonWorkerRuntime runtime;
    private final String publicAddress;
    private final String managementUrl;
    private final Path trustStore;
    private final Supplier<Caller> platform;
    private final ResourceGroupApi groups;
    private final Map<String, Opened> opened = new ConcurrentHashMap<>();
    private VirtualNetworks networks;
    private PrivateEndpoints endpoints;
    private PrivateNetworking networking;
    private PrivateDnsZones zones;
    private DnsServer dns;

    /**
     * @param root where the deployments' sockets and resolver files live ({@code $ENCLAVE_HOME/net})
     * @param platform the principal the platform acts as when it makes managed resources
     */
    public ManagedDeploymentNetworks(Path root, Fabric fabric, PythonWorkerRuntime runtime, String publicAddress, String managementUrl, Path trustStore,
            Supplier<Caller> platform, ResourceGroupApi groups) {
        this.groups = groups;
        this.root = root;
        this.fabric = fabric;
        this.runtime = runtime;
        this.publicAddress = publicAddress;
        this.managementUrl = managementUrl;
        this.trustStore = trustStore;
        this.platform = platform;
    }

    public void attach(VirtualNetworks networks, PrivateEndpoints endpoints, PrivateNetworking networking, PrivateDnsZones zones, DnsServer dns) {
        this.networks = networks;
        this.endpoints = endpoints;
        this.networking = networking;
        this.zones = zones;
        this.dns = dns;
    }

    @Override
    public void validate(OnlineDeployment deployment) {
        if (isolated(deployment)) {
            runtime.namespaceProblem().ifPresent(problem -> {
                throw new EnclaveException(ErrorCode.NetworkIsolationUnavailable, "egress_public_network_access: disabled needs Linux network "
                        + "namespaces, which this server cannot create (" + problem + "); run the Enclave server as root on Linux, or deploy with "
                        + "egress_public_network_access: enabled");
            });
        }
    }

    @Override
    public Placement prepare(OnlineDeployment deployment, Workspace workspace, Path workDir) {
        if (!isolated(deployment)) {
            return shared();
        }
        ResourceId id = ResourceId.parse(deployment.id());
        Opened network = opened.computeIfAbsent(id.key(), key -> build(id, workspace));
        return new Placement(network.network(), Map.of(
                "MSI_ENDPOINT", "http://127.0.0.1:" + MANAGEMENT_RELAY_PORT + ManagedIdentityEndpoint.PATH,
                "IDENTITY_ENDPOINT", "http://127.0.0.1:" + MANAGEMENT_RELAY_PORT + ManagedIdentityEndpoint.PATH,
                "ENCLAVE_MANAGEMENT_URL", "http://127.0.0.1:" + MANAGEMENT_RELAY_PORT), Optional.of(trustStore));
    }

    /** Egress enabled: the host network, resolving through the platform's DNS where a mount namespace can say so. */
    private Placement shared() {
        Map<String, String> environment = Map.of("ENCLAVE_MANAGEMENT_URL", managementUrl);
        if (dns == null || dns.port() != 53 || runtime.namespaceProblem().isPresent()) {
            return new Placement(new WorkerNetwork.Host(), environment, Optional.of(trustStore));
        }
        Path resolvConf = write(root.resolve("public-resolv.conf"), "# Enclave: the platform's public DNS view\nnameserver " + publicAddress + "\n");
        return new Placement(new WorkerNetwork.Resolved(resolvConf), environment, Optional.of(trustStore));
    }

    private Opened build(ResourceId deployment, Workspace workspace) {
        String hash = hash(deployment);
        Map<String, String> tags = Map.of(MANAGED_BY_TAG, deployment.toString());
        ResourceId group = groups.ensure(deployment.subscription(), managedGroup(deployment), workspace.location(), tags);
        String resourceGroup = group.name();
        VirtualNetwork network = managedNetwork(deployment, hash, group.subscription(), resourceGroup, workspace.location(), tags);
        ResourceId subnet = VirtualNetworks.subnetId(network.resourceId(), "default");
        Map<String, ResourceId> targets = Map.of("amlworkspace", ResourceId.parse(workspace.id()), "blob", ResourceId.parse(workspace.storageAccount()),
                "registry", ResourceId.parse(workspace.containerRegistry()));
        Path directory = root.resolve(hash);
        createDirectories(directory);
        List<Path> sockets = new ArrayList<>();
        List<WorkerNetwork.TcpForward> forwards = new ArrayList<>();
        try {
            for (Link link : LINKS) {
                PrivateEndpoint endpoint = managedEndpoint(deployment, hash, link, group.subscription(), resourceGroup, subnet, targets.get(link.groupId()), tags);
                if (endpoint.status() != ConnectionStatus.Approved) {
                    throw new EnclaveException(ErrorCode.PrivateEndpointConnectionNotApproved, "the deployment's private endpoint " + endpoint.name() + " to "
                            + endpoint.targetId() + " is " + endpoint.status() + "; it must be Approved before the deployment can reach it");
                }
                Path socket = directory.resolve(link.suffix() + ".sock");
                fabric.closeUnix(socket);
                fabric.openUnix(socket, Fabric.Plane.GATEWAY, networking.path(endpoint), true);
                sockets.add(socket);
                forwards.add(new WorkerNetwork.TcpForward(endpoint.privateIpAddress(), 443, socket));
                if (fabric.gatewayPort() != 443) {
                    forwards.add(new WorkerNetwork.TcpForward(endpoint.privateIpAddress(), fabric.gatewayPort(), socket));
                }
            }
            Path management = directory.resolve("mgmt.sock");
            fabric.closeUnix(management);
            fabric.openUnix(management, Fabric.Plane.MANAGEMENT, NetworkPath.Public.INSTANCE, false);
            sockets.add(management);
            forwards.add(new WorkerNetwork.TcpForward("127.0.0.1", MANAGEMENT_RELAY_PORT, management));
            Path dnsSocket = directory.resolve("dns.sock");
            UnixDnsListener listener = dns.listenUnix(dnsSocket, Optional.of(network.resourceId()));
            Path resolvConf = write(directory.resolve("resolv.conf"), "# Enclave: the resolver of managed network " + network.name() + "\nnameserver "
                    + network.resolverAddress() + "\n");
            log.info("deployment {}: isolated in managed network {} ({})", deployment, network.name(), network.addressPrefixes());
            return new Opened(sockets, listener, new WorkerNetwork.Isolated(resolvConf, forwards,
                    new WorkerNetwork.DnsForward(network.resolverAddress(), dnsSocket)));
        } catch (RuntimeException e) {
            sockets.forEach(fabric::closeUnix);
            throw e;
        }
    }

    private VirtualNetwork managedNetwork(ResourceId deployment, String hash, String subscription, String resourceGroup, String location,
            Map<String, String> tags) {
        ResourceId id = VirtualNetworks.id(subscription, resourceGroup, "mvnet-" + hash);
        Optional<VirtualNetwork> existing = networks.find(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        List<IpPrefix> used = networks.all().stream().flatMap(network -> network.prefixes().stream()).toList();
        for (long n = 0; n < (1L << (24 - POOL.length())); n++) {
            IpPrefix candidate = IpPrefix.parse(POOL.address(n * 256) + "/24");
            if (used.stream().noneMatch(candidate::overlaps)) {
                String prefix = candidate.toString();
                return networks.createOrUpdate(id, location, tags, List.of(prefix),
                        List.of(new VirtualNetworks.SubnetSpec("default", Optional.of(prefix), Optional.of("Disabled"))));
            }
        }
        throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, "no free /24 is left in " + POOL + " for the managed network of " + deployment);
    }

    private PrivateEndpoint managedEndpoint(ResourceId deployment, String hash, Link link, String subscription, String resourceGroup, ResourceId subnet,
            ResourceId target, Map<String, String> tags) {
        ResourceId id = PrivateEndpoints.id(subscription, resourceGroup, "mpe-" + hash + "-" + link.suffix());
        Optional<PrivateEndpoint> existing = endpoints.find(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        return endpoints.create(platform.get(), id, new PrivateEndpoints.Request(Optional.empty(), tags, subnet, target, link.groupId(), id.name(), false,
                "egress of deployment " + deployment));
    }

    @Override
    public void release(ResourceId deployment) {
        Opened network = opened.remove(deployment.key());
        if (network != null) {
            network.sockets().forEach(fabric::closeUnix);
            network.dns().close();
        }
        if (networks == null) {
            return;
        }
        String hash = hash(deployment);
        String subscription = deployment.subscription();
        String resourceGroup = managedGroup(deployment);
        ResourceId group = ResourceId.resourceGroup(subscription, resourceGroup);
        for (Link link : LINKS) {
            endpoints.delete(PrivateEndpoints.id(subscription, resourceGroup, "mpe-" + hash + "-" + link.suffix()));
        }
        ResourceId vnet = VirtualNetworks.id(subscription, resourceGroup, "mvnet-" + hash);
        if (networks.find(vnet).isPresent()) {
            for (PrivateDnsZone zone : zones.zones(group)) {
                for (VirtualNetworkLink link : zones.links(zone.resourceId())) {
                    zones.deleteLink(link.resourceId());
                }
                zones.deleteZone(zone.resourceId());
            }
            networks.delete(vnet);
        }
        groups.deleteIfEmpty(group);
        FileTrees.deleteQuietly(root.resolve(hash));
    }

    /** The resource group of a deployment's managed network: {@code <endpoint>-<deployment>-network}. */
    public static String managedGroup(ResourceId deployment) {
        String endpoint = deployment.parent().orElseThrow().name();
        return endpoint + "-" + deployment.name() + "-network";
    }

    private static boolean isolated(OnlineDeployment deployment) {
        return "Disabled".equalsIgnoreCase(deployment.egressPublicNetworkAccess());
    }

    private static String hash(ResourceId deployment) {
        return Hashes.sha256Hex(deployment.key()).substring(0, 8);
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

}
