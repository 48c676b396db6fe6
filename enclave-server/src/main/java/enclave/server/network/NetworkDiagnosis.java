package enclave.server.network;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.PlatformNames;
import enclave.core.ResourceId;
import enclave.monitor.account.MonitorAccount;
import enclave.monitor.account.MonitorAccounts;
import enclave.monitor.account.QueryEndpoints;
import enclave.network.dns.DnsServer;
import enclave.network.privateendpoint.PrivateEndpoint;
import enclave.network.privateendpoint.PrivateEndpoints;
import enclave.network.vnet.VirtualNetwork;
import enclave.network.vnet.VirtualNetworks;
import enclave.server.fabric.Fabric;
import enclave.serving.gateway.EndpointRoute;
import enclave.serving.gateway.NetworkAccess;
import enclave.serving.gateway.NetworkPath;
import enclave.serving.gateway.RoutingTable;
import enclave.serving.gateway.ScoringGateway;
import enclave.storage.account.StorageAccount;
import enclave.storage.account.StorageAccounts;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@code enclave network diagnose}: what would happen to a request for a URL or host, step by step, from the public view
 * or from inside a virtual network. It asks the platform's own DNS server (the same answers a resolver gives), finds the
 * listener the address leads to (the public gateway or a private endpoint's), the private endpoint connection and its
 * state, the target and its public network access, and gives the verdict of the gateway's own rule
 * ({@link NetworkAccess#check}), so the diagnosis and real traffic never disagree.
 */
public final class NetworkDiagnosis {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** The resource a request for {@code host} and {@code path} is for, as the gateway routes it (empty: none). */
    @FunctionalInterface
    public interface Targets {
        Optional<NetworkAccess.Target> find(String host, String path);
    }

    /** What a client would reach: nothing, the public gateway listener, or a private endpoint's listener. */
    public enum ListenerKind {
        NONE("none"),
        PUBLIC("public"),
        PRIVATE_ENDPOINT("privateEndpoint");

        private final String wireName;

        ListenerKind(String wireName) {
            this.wireName = wireName;
        }

        /** The name in the REST answer. */
        public String wireName() {
            return wireName;
        }
    }

    /**
     * @param address the address and port the client would connect to, when DNS gave one
     * @param privateEndpoint the private endpoint whose private IP it is
     * @param bound whether a listener is open there (private endpoints' listeners open when the fabric binds them)
     */
    public record Listener(ListenerKind kind, Optional<String> address, Optional<PrivateEndpoint> privateEndpoint, boolean bound) {}

    public record Verdict(boolean allowed, Optional<ErrorCode> code, String message) {}

    /**
     * @param views the public view first, then the network's view when one was asked for (none for an IP address)
     * @param pathView the view whose answer decides the path ({@code --from}'s, else public)
     */
    public record Diagnosis(String host, int port, String path, List<DnsView> views, String pathView, Listener listener,
            Optional<NetworkAccess.Target> target, Verdict verdict) {}

    private final DnsServer dns;
    private final Fabric fabric;
    private final VirtualNetworks networks;
    private final PrivateEndpoints privateEndpoints;
    private final NetworkAccess access;
    private final Targets targets;

    public NetworkDiagnosis(DnsServer dns, Fabric fabric, VirtualNetworks networks, PrivateEndpoints privateEndpoints, NetworkAccess access,
            Targets targets) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.fabric = Objects.requireNonNull(fabric, "fabric");
        this.networks = Objects.requireNonNull(networks, "networks");
        this.privateEndpoints = Objects.requireNonNull(privateEndpoints, "privateEndpoints");
        this.access = Objects.requireNonNull(access, "access");
        this.targets = Objects.requireNonNull(targets, "targets");
    }

    /**
     * Diagnoses {@code target} ({@code https://host[:port][/path]} or a bare host, whose port is then the gateway's) as seen
     * from {@code from} (a virtual network) or from the public view.
     */
    public Diagnosis diagnose(String target, Optional<ResourceId> from) {
        Location location = Location.parse(target, fabric.gatewayPort());
        Optional<VirtualNetwork> network = from.map(id -> networks.find(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound,
                "virtual network '" + id.name() + "' was not found (" + id + "); list them with: enclave network vnet list")));

        List<DnsView> views = new ArrayList<>();
        Optional<String> address;
        String pathView = network.map(VirtualNetwork::name).orElse("public");
        if (IPV4.matcher(location.host).matches()) {
            address = Optional.of(location.host);
        } else {
            DnsView publicView = resolve(location.host, "public", dns.publicAddress(), Optional.empty());
            views.add(publicView);
            DnsView deciding = publicView;
            if (network.isPresent()) {
                deciding = resolve(location.host, network.get().name(), network.get().resolverAddress(), Optional.of(network.get().resourceId()));
                views.add(deciding);
            }
            address = deciding.address();
        }

        Listener listener = listenerAt(address, location.port);
        Optional<NetworkAccess.Target> resource = targets.find(location.host, location.path);
        Verdict verdict = verdict(location, views, pathView, listener, resource);
        return new Diagnosis(location.host, location.port, location.path, views, pathView, listener, resource, verdict);
    }

    private DnsView resolve(String host, String view, String resolverAddress, Optional<ResourceId> network) {
        String resolver = resolverAddress + ":" + dns.port();
        Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (TextParseException e) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + host + "' is not a DNS name: " + e.getMessage());
        }
        Message query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
        byte[] answer = dns.answer(query.toWire(), network);
        try {
            return DnsView.of(view, resolver, name, new Message(answer));
        } catch (IOException e) {
            // DnsServer answers every query it can decode; an empty reply is a bug, reported as such
            throw new IllegalStateException("the DNS server gave no decodable answer for " + host + " in view " + view, e);
        }
    }

    private Listener listenerAt(Optional<String> address, int port) {
        if (address.isEmpty()) {
            return new Listener(ListenerKind.NONE, Optional.empty(), Optional.empty(), false);
        }
        String ip = address.get();
        Optional<String> where = Optional.of(ip + ":" + port);
        if (ip.equals(dns.publicAddress()) || ip.equals(fabric.bindAddress())) {
            return new Listener(ListenerKind.PUBLIC, where, Optional.empty(), gatewayPort(port));
        }
        Optional<PrivateEndpoint> endpoint = privateEndpoints.all().stream().filter(pe -> ip.equals(pe.privateIpAddress())).findFirst();
        if (endpoint.isEmpty()) {
            return new Listener(ListenerKind.NONE, where, Optional.empty(), false);
        }
        boolean bound = gatewayPort(port)
                && fabric.boundPrivateEndpoints().stream().anyMatch(path -> path.privateEndpointId().equalsIgnoreCase(endpoint.get().id()));
        return new Listener(ListenerKind.PRIVATE_ENDPOINT, where, endpoint, bound);
    }

    /** Whether the gateway listens on {@code port}: its own port, or 443 when the server holds it too. */
    private boolean gatewayPort(int port) {
        return port == fabric.gatewayPort() || fabric.httpsPort().stream().anyMatch(https -> https == port);
    }

    private String gatewayPorts() {
        return fabric.gatewayPort() + fabric.httpsPort().stream().mapToObj(https -> " and " + https).findFirst().orElse("");
    }

    private Verdict verdict(Location location, List<DnsView> views, String pathView, Listener listener, Optional<NetworkAccess.Target> resource) {
        Optional<DnsView> deciding = views.stream().filter(v -> v.view().equals(pathView)).findFirst();
        if (listener.address().isEmpty()) {
            DnsView view = deciding.orElseThrow();
            String answered = "the resolver " + view.resolver() + " (" + describeView(view) + ") answered " + view.rcode() + " for " + location.host + " ("
                    + view.describe(location.host) + ")";
            if (resource.isEmpty() && !view.rcode().equals("NOERROR") && view.chain().isEmpty()) {
                return refused(Optional.empty(), location.host + " is not a name the platform serves: " + answered
                        + "; platform names are <account>.blob.core.windows.net, <endpoint>.<region>.inference.ml.azure.com and the monitor query hosts");
            }
            String alias = view.chain().isEmpty() ? location.host : view.chain().getLast().data();
            String hint = alias.contains(".privatelink.") && !view.view().equals("public")
                    ? "; the chain ends at " + alias + ", a name in a private DNS zone linked to network " + view.view()
                            + " that has no record for it (the resource's private endpoints are in other networks): create a private endpoint of it in "
                            + view.view() + ", or set the link's resolution policy to NxDomainRedirect (enclave network private-dns link vnet create -z <zone> -n <link> -v <network> "
                            + "--resolution-policy NxDomainRedirect) to get the public answer"
                    : "";
            return refused(Optional.empty(), "a client cannot connect: " + answered + " with no address" + hint);
        }
        String address = listener.address().get();
        switch (listener.kind()) {
            case NONE -> {
                return refused(Optional.empty(), "nothing of the platform listens on " + address + ": the gateway listens on " + dns.publicAddress() + ":"
                        + gatewayPorts() + " (public) and on private endpoints' IPs with the same ports");
            }
            case PUBLIC -> {
                if (!listener.bound()) {
                    return refused(Optional.empty(), "nothing of the platform listens on " + address + ": the public gateway listens on port " + gatewayPorts());
                }
            }
            case PRIVATE_ENDPOINT -> {
                PrivateEndpoint pe = listener.privateEndpoint().orElseThrow();
                if (!listener.bound()) {
                    String why = pe.approved() ? "it is not open yet" : "its connection is " + pe.status() + " and only an Approved connection carries traffic";
                    return refused(Optional.of(ErrorCode.ListenerUnavailable), address + " is private endpoint " + pe.name() + " of network "
                            + pe.virtualNetworkName() + ", but no listener is open there: " + why
                            + (pe.approved() ? "" : "; an owner of the target approves it with `enclave network private-endpoint-connection approve --id "
                                    + pe.targetConnectionId() + "`"));
                }
            }
        }
        if (resource.isEmpty()) {
            return refused(Optional.of(ErrorCode.ResourceNotFound), "the gateway at " + address + " would take the request, but " + location.host + location.path
                    + " names no online endpoint, storage account or monitor account of the platform");
        }
        NetworkPath path = listener.kind() == ListenerKind.PUBLIC ? NetworkPath.Public.INSTANCE : pathOf(listener.privateEndpoint().orElseThrow());
        return switch (access.check(path, resource.get())) {
            case NetworkAccess.Outcome.Allowed allowed -> new Verdict(true, Optional.empty(), "a request that comes in on " + path.describe()
                    + " may reach " + resource.get().kind().noun() + " '" + resource.get().name() + "'; it goes on to authentication");
            case NetworkAccess.Outcome.Refused refused -> refused(Optional.of(refused.code()), refused.message());
        };
    }

    private static Verdict refused(Optional<ErrorCode> code, String message) {
        return new Verdict(false, code, message);
    }

    private static String describeView(DnsView view) {
        return view.view().equals("public") ? "the public view" : "network " + view.view() + "'s view";
    }

    private static NetworkPath.PrivateEndpoint pathOf(PrivateEndpoint pe) {
        return new NetworkPath.PrivateEndpoint(pe.id(), pe.name(), pe.virtualNetwork(), pe.virtualNetworkName(), pe.privateIpAddress());
    }

    /** Where a URL or bare host points: host (lower case, no trailing dot), port, and the path ("" for a bare host). */
    record Location(String host, int port, String path) {
        static Location parse(String target, int gatewayPort) {
            String text = target == null ? "" : target.strip();
            if (text.isEmpty()) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "target is required: a URL (https://<host>:<port>/<path>) or a host name");
            }
            URI uri;
            try {
                uri = new URI(text.contains("://") ? text : "https://" + text);
            } catch (URISyntaxException e) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + text + "' is neither a URL nor a host name: " + e.getMessage());
            }
            if (uri.getHost() == null) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + text + "' names no host; give a URL such as https://<account>.blob.core.windows.net:"
                        + gatewayPort + "/<container>/<blob> or a host name");
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            host = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            int port = uri.getPort() >= 0 ? uri.getPort()
                    : text.contains("://") ? ("http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443) : gatewayPort;
            return new Location(host, port, uri.getRawPath() == null ? "" : uri.getRawPath());
        }
    }

    /**
     * The gateway's routing, as a lookup (the same order as {@code GatewayHandler}): scoring host, blob host, monitor query
     * host or path, scoring path, else the first path segment as a storage account. The targets are built as the gateway
     * builds them (an endpoint's is its route's own).
     */
    public static Targets targets(PlatformNames names, RoutingTable routing, StorageAccounts storageAccounts, MonitorAccounts monitorAccounts,
            QueryEndpoints queryEndpoints, java.util.function.Function<String, Optional<NetworkAccess.Target>> workspaceHosts) {
        return (host, path) -> {
            Optional<NetworkAccess.Target> workspace = workspaceHosts.apply(host);
            if (workspace.isPresent()) {
                return workspace;
            }
            Optional<String> endpoint = names.endpointOf(host);
            if (endpoint.isPresent()) {
                return routing.find(endpoint.get()).map(EndpointRoute::networkTarget);
            }
            Optional<String> account = names.blobAccountOf(host);
            if (account.isPresent()) {
                return storage(names, storageAccounts, account.get());
            }
            Optional<String> label = queryEndpoints.labelOfHost(host);
            if (label.isEmpty() && path.startsWith(QueryEndpoints.PATH_PREFIX)) {
                label = Optional.of(firstSegment(path.substring(QueryEndpoints.PATH_PREFIX.length())));
            }
            if (label.isPresent()) {
                String wanted = label.get();
                return monitorAccounts.all().stream().filter(a -> a.hostLabel().equalsIgnoreCase(wanted)).findFirst()
                        .map(a -> monitorTarget(a, queryEndpoints));
            }
            if (path.startsWith(ScoringGateway.PATH_PREFIX)) {
                return routing.find(firstSegment(path.substring(ScoringGateway.PATH_PREFIX.length()))).map(EndpointRoute::networkTarget);
            }
            String first = firstSegment(path.startsWith("/") ? path.substring(1) : path);
            return first.isEmpty() ? Optional.empty() : storage(names, storageAccounts, first);
        };
    }

    private static Optional<NetworkAccess.Target> storage(PlatformNames names, StorageAccounts storageAccounts, String name) {
        return storageAccounts.findByName(name.toLowerCase(Locale.ROOT)).map(account -> storageTarget(account, names));
    }

    /** What the gateway's network rule judges for a storage account's blob service (the gateway and the diagnosis both ask this). */
    public static NetworkAccess.Target storageTarget(StorageAccount account, PlatformNames names) {
        return new NetworkAccess.Target(NetworkAccess.Kind.STORAGE_ACCOUNT, account.id(), account.name(), account.publicNetworkAccessEnabled(),
                Optional.empty(), names.blobHost(account.name()));
    }

    /** What the gateway's network rule judges for a monitor account's query endpoint. */
    public static NetworkAccess.Target monitorTarget(MonitorAccount account, QueryEndpoints queryEndpoints) {
        return new NetworkAccess.Target(NetworkAccess.Kind.MONITOR_WORKSPACE, account.id(), account.name(), account.publicNetworkAccessEnabled(),
                Optional.empty(), queryEndpoints.host(account));
    }

    private static String firstSegment(String path) {
        int slash = path.indexOf('/');
        return (slash < 0 ? path : path.substring(0, slash)).toLowerCase(Locale.ROOT);
    }
}
