package enclave.server;

import enclave.authz.RoleApi;
import enclave.authz.RoleBasedAuthorizer;
import enclave.authz.assignment.RoleAssignmentTable;
import enclave.authz.assignment.RoleAssignments;
import enclave.authz.role.RoleDefinitions;
import enclave.core.PlatformNames;
import enclave.core.ResourceId;
import enclave.core.http.Route;
import enclave.identity.Principals;
import enclave.identity.SigningKeys;
import enclave.identity.TokenService;
import enclave.identity.managed.UserAssignedIdentities;
import enclave.identity.managed.UserAssignedIdentityApi;
import enclave.server.fabric.Fabric;
import enclave.network.privateendpoint.PrivateEndpointApi;

import enclave.network.privateendpoint.PrivateEndpoints;
import enclave.network.privateendpoint.PrivateLinkTargets;
import enclave.network.vnet.VirtualNetworkApi;

import enclave.network.vnet.VirtualNetworks;
import enclave.monitor.account.MonitorAccountApi;
import enclave.monitor.account.MonitorAccounts;
import enclave.monitor.account.QueryEndpoints;
import enclave.monitor.engine.PrometheusEngine;
import enclave.monitor.metrics.PlatformMetrics;
import enclave.monitor.metrics.ProcessStats;
import enclave.monitor.query.MonitorQueryApi;
import enclave.network.dns.DnsServer;

import enclave.network.dns.PlatformSuffixes;
import enclave.network.dns.PrivateDnsZoneApi;
import enclave.network.dns.PrivateDnsZones;
import enclave.network.dns.SplitHorizon;
import enclave.network.dns.Upstream;
import enclave.server.identity.DirectoryApi;
import enclave.server.network.DiagnoseApi;
import enclave.server.network.NetworkDiagnosis;
import enclave.server.network.PrivateLinkWiring;
import enclave.server.network.PrivateNetworking;
import enclave.server.network.ManagedDeploymentNetworks;
import enclave.core.http.Caller;
import enclave.identity.Audiences;
import enclave.server.identity.IdentityApi;
import enclave.server.resourcegroup.ResourceGroupApi;
import enclave.server.tls.CertificateAuthority;
import enclave.serving.asset.AssetApi;
import enclave.serving.asset.Assets;
import enclave.serving.connection.ConnectionApi;
import enclave.serving.connection.Connections;
import enclave.serving.deployment.DeploymentApi;
import enclave.serving.deployment.Deployments;
import enclave.serving.deployment.PullPermissions;
import enclave.serving.deployment.StorageInitializer;
import enclave.serving.endpoint.DiagnosticSettingsApi;
import enclave.serving.endpoint.EndpointApi;
import enclave.serving.endpoint.EndpointIdentities;
import enclave.serving.endpoint.Endpoints;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.endpoint.ProvisioningState;
import enclave.serving.gateway.CredentialCheck;
import enclave.serving.gateway.NetworkAccess;
import enclave.serving.gateway.PrivateLinkDirectory;
import enclave.serving.gateway.RoutingTable;
import enclave.serving.gateway.ScoringGateway;
import enclave.serving.identity.ManagedIdentityEndpoint;
import enclave.serving.operation.OperationApi;
import enclave.serving.operation.Operations;
import enclave.serving.runtime.PythonWorkerRuntime;
import enclave.serving.runtime.WorkerIoThreads;
import enclave.serving.trafficlog.TrafficLog;
import enclave.serving.workspace.WorkspaceApi;
import enclave.serving.workspace.Workspaces;
import enclave.storage.account.StorageAccountApi;
import enclave.storage.account.StorageAccounts;
import enclave.storage.blob.BlobApi;
import enclave.storage.blob.BlobStore;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import enclave.store.ResourceStore;
import enclave.store.SecretBox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Enclave process: builds the whole object graph by hand (every dependency a constructor parameter), binds the
 * management and gateway listeners, recovers running state from the store, and tears everything down in reverse.
 */
public final class EnclaveServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnclaveServer.class);
    public static final String VERSION = "0.1.0";

    private final ServerConfig config;
    private final Database database;
    private final Server jetty;
    private final Fabric fabric;
    private final PlatformNames names;
    private final Platform platform;
    private final CertificateAuthority ca;
    private final Operations operations;
    private final Deployments deployments;
    private final TrafficLog trafficLog;
    private final PythonWorkerRuntime runtime;
    private final Endpoints endpoints;
    private final RoutingTable routing;
    private final VirtualNetworks virtualNetworks;
    private final PrivateLinkTargets privateLinkTargets;
    private final PrivateEndpoints privateEndpoints;
    private final PrometheusEngine prometheus;
    private final MonitorAccountApi monitorAccounts;
    private final DnsServer dns;
    private final PrivateNetworking networking;
    private static final java.time.Duration KEY_ROTATION = java.time.Duration.ofDays(7);
    private final java.util.concurrent.ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("enclave-maintenance").daemon().factory());

    public EnclaveServer(ServerConfig config) {
        this(config, Optional.empty());
    }

    /**
     * @param privateLinks replaces the server's own private link directory (tests); empty: the server's (none yet: no
     *     private endpoints until the network module provides them)
     */
    public EnclaveServer(ServerConfig config, Optional<PrivateLinkDirectory> privateLinks) {
        this.config = config;
        this.names = PlatformNames.azure(config.location());
        Clock clock = Clock.systemUTC();
        Path home = config.home();
        createDirectories(home);

        database = Database.open(home.resolve("db"));
        ResourceStore store = new JdbcResourceStore(database.dataSource());
        Principals principals = new Principals(database.dataSource());
        platform = Platform.bootstrap(store, principals, home);
        ca = CertificateAuthority.open(home.resolve("tls"));

        // Bind the listeners first: URLs that resources show (scoring URIs, blob endpoints) need the real ports.
        // After an asynchronous answer, Jetty resumes the connection (reads its next request) through this pool. When the
        // answer was written by a worker I/O loop, the loop does that itself instead of waking a pool thread for it: the
        // read finds nothing yet or a pipelined request, whose path never blocks. A thread wake-up and a context switch
        // less per scoring request: 2.5 -> 1.9 context switches and about a fifth less server CPU per request (issue 6).
        QueuedThreadPool threads = new QueuedThreadPool(200, 8) {
            @Override
            public void execute(Runnable job) {
                if (job instanceof Connection && WorkerIoThreads.isCurrent()) {
                    job.run();
                } else {
                    super.execute(job);
                }
            }
        };
        threads.setName("enclave-http");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        jetty = new Server(threads);
        try {
            // Blob names may hold '%', encoded slashes and empty segments, as Azure allows.
            fabric = new Fabric(jetty, ca, names, config.bindAddress(), config.managementPort(), config.gatewayPort(), BlobApi.URI_COMPLIANCE);
            if (config.httpsPort() > 0) {
                fabric.openHttpsPort(config.httpsPort());
            }
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }

        SigningKeys signingKeys = SigningKeys.open(home.resolve("keys"));
        // Signing keys rotate weekly; a retired key stays published until every token it signed (refresh tokens live longest) has expired.
        maintenance.scheduleAtFixedRate(() -> {
            try {
                signingKeys.maintain(clock.instant(), KEY_ROTATION, TokenService.REFRESH_LIFETIME);
            } catch (RuntimeException e) {
                log.error("signing key maintenance failed; will retry in an hour", e);
            }
        }, 0, 1, java.util.concurrent.TimeUnit.HOURS);
        TokenService tokens = new TokenService(signingKeys, managementUrl() + "/" + platform.tenantId() + "/v2.0", platform.tenantId(), clock);
        RoleAssignmentTable assignmentTable = new RoleAssignmentTable(database.dataSource());
        RoleDefinitions roleDefinitions = new RoleDefinitions(store, assignmentTable);
        RoleAssignments roleAssignments = new RoleAssignments(assignmentTable, roleDefinitions, principals::byObjectId, clock);
        // The platform's admin owns the subscription (idempotent: the assignment's name derives from principal, role and scope).
        roleAssignments.grantBuiltIn(platform.adminObjectId(), "Owner", ResourceId.subscription(platform.subscriptionId()), platform.adminObjectId());
        RoleBasedAuthorizer authorizer = new RoleBasedAuthorizer(roleDefinitions, roleAssignments);

        BlobStore blobStore = new BlobStore(home.resolve("blobs"));
        StorageAccounts storageAccounts = new StorageAccounts(store, blobStore, gatewayUrl() + "/");
        ResourceGroupApi resourceGroups = new ResourceGroupApi(store, clock);
        Workspaces workspaces = new Workspaces(store, storageAccounts, resourceGroups::exists, clock);
        Assets assets = new Assets(store);
        operations = new Operations(store, platform.subscriptionId(), config.location(), clock);
        trafficLog = new TrafficLog(home.resolve("trafficlog"));
        runtime = new PythonWorkerRuntime(Path.of(config.python()), home.resolve("runtime"), config.standbyInterpreter());
        routing = new RoutingTable(names);
        // A deleted managed identity takes its role assignments with it.
        UserAssignedIdentities userAssignedIdentities = new UserAssignedIdentities(store, principals, platform.tenantId(), resourceGroups::exists,
                principalId -> roleAssignments.deleteAllOf(principalId, "enclave"), clock);
        endpoints = new Endpoints(store, workspaces, new EndpointIdentities(principals, userAssignedIdentities, roleAssignments, platform.tenantId()), clock,
                routing::refresh);
        ManagedIdentityEndpoint managedIdentity = new ManagedIdentityEndpoint(endpoints, principals, tokens, managementUrl() + ManagedIdentityEndpoint.PATH,
                caFile());
        // Where workers sit on the network: egress-disabled deployments get a managed network and their own namespace.
        ManagedDeploymentNetworks deploymentNetworks = new ManagedDeploymentNetworks(home.resolve("net"), fabric, runtime, publicAddress(), managementUrl(),
                caTrustStoreFile(), () -> new Caller(platform.adminObjectId(), platform.tenantId(), "Enclave platform", Optional.empty(), Audiences.MANAGEMENT),
                resourceGroups);
        deployments = new Deployments(store, endpoints, workspaces, assets, operations, new StorageInitializer(blobStore, clock),
                new PullPermissions(authorizer), managedIdentity, runtime, deploymentNetworks, home.resolve("deployments"), clock, routing::refresh);
        routing.bind(endpoints, deployments);

        // Monitoring (issue 5): one Prometheus per monitor account scrapes the management listener for its linked workspaces' series.
        PlatformMetrics metrics = new PlatformMetrics(routing::deploymentSamples, ProcessStats.linux());
        MonitorAccounts accounts = new MonitorAccounts(store, workspace -> workspaces.find(workspace).isPresent(), clock);
        QueryEndpoints queryEndpoints = new QueryEndpoints(config.location(), QueryEndpoints.DEFAULT_DOMAIN, fabric.gatewayPort(), gatewayUrl());
        prometheus = new PrometheusEngine(PrometheusEngine.findBinary(), home.resolve("monitor"),
                config.bindAddress() + ":" + fabric.managementPort(), MonitorAccountApi.SCRAPE_PREFIX, caFile());
        MonitorQueryApi monitorQuery = new MonitorQueryApi(accounts, prometheus, queryEndpoints, tokens, authorizer);
        // Private networking: networks in 127.0.0.0/8, private endpoints to every registered kind of target (register new
        // kinds, e.g. monitor accounts, on privateLinkTargets before the routes are built below).
        PlatformSuffixes dnsSuffixes = PlatformSuffixes.of(names);
        networking = new PrivateNetworking(fabric, dnsSuffixes);
        virtualNetworks = new VirtualNetworks(store, resourceGroups::exists, config.bindAddress(), networking, clock);
        privateLinkTargets = new PrivateLinkTargets();
        PrivateLinkWiring.registerTargets(privateLinkTargets, workspaces, storageAccounts, names);
        privateLinkTargets.register(enclave.network.privateendpoint.PrivateLinkTarget.of("Microsoft.Monitor/accounts", List.of("prometheusMetrics"),
                "monitor workspace", id -> accounts.find(id).isPresent(),
                (id, groupId) -> accounts.find(id).map(account -> List.of(queryEndpoints.host(account))).orElse(List.of())));
        privateEndpoints = new PrivateEndpoints(store, virtualNetworks, privateLinkTargets, authorizer, resourceGroups::exists, networking, clock);
        monitorAccounts = new MonitorAccountApi(accounts, prometheus, metrics, queryEndpoints, authorizer, resourceGroups::exists,
                account -> privateEndpoints.connections(account).stream().map(PrivateEndpointApi::toArm).toList());
        // Private DNS and the split-horizon DNS server (docs/architecture.md, "DNS"): a resolver per virtual network, public
        // names from the store (CNAME to privatelink while a resource has private endpoints).
        PrivateDnsZones privateDnsZones = new PrivateDnsZones(store, networking, resourceGroups::exists, clock);
        PlatformDnsNames dnsNames = new PlatformDnsNames(store, dnsSuffixes, networking::hasPrivateEndpoints, accounts);
        try {
            dns = new DnsServer(new SplitHorizon(new enclave.network.dns.PlatformNames(publicAddress(), dnsSuffixes, dnsNames::current), privateDnsZones,
                    config.dnsUpstream().map(Upstream::parse)), publicAddress(), config.dnsPort());
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        networking.attach(virtualNetworks, privateEndpoints, privateDnsZones, dns);
        deploymentNetworks.attach(virtualNetworks, privateEndpoints, networking, privateDnsZones, dns);

        List<Route> routes = new ArrayList<>();
        routes.addAll(new IdentityApi(tokens, principals, signingKeys, clock).routes());
        routes.add(Route.of("GET", "/enclave/info", Route.ANONYMOUS, call -> call.json(200, info())));
        routes.addAll(new DirectoryApi(principals, platform.tenantId(), platform.subscriptionId()).routes());
        routes.addAll(new RoleApi(roleDefinitions, roleAssignments, authorizer).routes());
        routes.addAll(resourceGroups.routes());
        routes.addAll(managedIdentity.routes());
        routes.addAll(new UserAssignedIdentityApi(userAssignedIdentities).routes());
        routes.addAll(new WorkspaceApi(workspaces, workspace -> {
            deployments.stopAllUnder(workspace);
            endpoints.releaseIdentitiesUnder(workspace);
        }, deleted -> {
            routing.refreshAll();
            accounts.forgetWorkspace(deleted);
        },
                (creator, storage) -> roleAssignments.grantBuiltIn(creator.objectId(), "Storage Blob Data Contributor", storage, creator.objectId()),
                PrivateLinkWiring.workspaceView(privateEndpoints)).routes());
        routes.addAll(new VirtualNetworkApi(virtualNetworks, config.location()).routes());
        routes.addAll(new PrivateEndpointApi(privateEndpoints, privateLinkTargets).routes());
        routes.addAll(new StorageAccountApi(storageAccounts, resourceGroups::exists).routes());
        routes.addAll(new AssetApi(assets, workspaces, clock).routes());
        // Connection secrets are sealed with a key kept in its own file, apart from the database.
        routes.addAll(new ConnectionApi(new Connections(store, workspaces, SecretBox.open(home.resolve("keys").resolve("secrets.key")), clock)).routes());
        routes.addAll(new EndpointApi(endpoints, deployments, operations, trafficLog, this::scoringUri, tokens).routes());
        routes.addAll(new DiagnosticSettingsApi(endpoints).routes());
        routes.addAll(new DeploymentApi(deployments, clock).routes());
        routes.addAll(new OperationApi(operations).routes());
        routes.addAll(monitorAccounts.routes());
        routes.addAll(new PrivateDnsZoneApi(privateDnsZones).routes());
        // The gateway reads private endpoints and their connections from the networking snapshot (tests may pass their own directory).
        NetworkAccess networkAccess = new NetworkAccess(privateLinks.orElse(networking));
        WorkspaceDataPlane workspaceDataPlane = new WorkspaceDataPlane(workspaces, networkAccess, names, tokens, authorizer,
                () -> Map.of("managementUrl", managementUrl(), "scoringUrlBase", gatewayUrl() + ScoringGateway.PATH_PREFIX));
        routes.addAll(new DiagnoseApi(new NetworkDiagnosis(dns, fabric, virtualNetworks, privateEndpoints, networkAccess,
                NetworkDiagnosis.targets(names, routing, storageAccounts, accounts, queryEndpoints, workspaceDataPlane::targetOf))).routes());
        ManagementHandler management = new ManagementHandler(routes, tokens, authorizer);
        ScoringGateway scoring = new ScoringGateway(routing, networkAccess, new CredentialCheck(tokens, authorizer), trafficLog, clock,
                config.maxRequestBytes(), metrics);
        GatewayHandler gateway = new GatewayHandler(scoring, networkAccess, names, storageAccounts, new BlobApi(blobStore, storageAccounts), tokens,
                authorizer, monitorQuery, queryEndpoints,
                workspaceDataPlane);

        // Non-blocking: scoring requests are handled on the Jetty thread that read them, without a hand-over to another
        // thread (see GatewayHandler); everything that may block moves to a virtual thread. (Jetty's dynamic Server still
        // serves connections as blocking; see docs/architecture.md, "Processes and listeners".)
        jetty.setHandler(new Handler.Abstract(Invocable.InvocationType.NON_BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String requestId = UUID.randomUUID().toString();
                // The listener that accepted the request decides plane and network path; no header can change either.
                Fabric.Binding binding = Fabric.bindingOf(request);
                if (binding.plane() == Fabric.Plane.GATEWAY) {
                    gateway.handle(binding.path(), request, response, callback, requestId);
                } else {
                    Thread.startVirtualThread(() -> management.handle(request, response, callback, requestId));
                }
                return true;
            }
        });
    }

    /** Starts serving and brings back what was running before the last stop. */
    public EnclaveServer start() {
        try {
            jetty.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP listeners", e);
        }
        recover();
        if (!prometheus.installed()) {
            log.warn("monitor accounts cannot answer queries: {}", PrometheusEngine.INSTALL_HINT);
        }
        monitorAccounts.startAll();
        writeServerJson();
        log.info("enclave {} ready: management {} gateway {} dns {}:{} home {}", VERSION, managementUrl(), gatewayUrl(), dns.publicAddress(), dns.port(), config.home());
        return this;
    }

    private void recover() {
        operations.failInterrupted();
        for (OnlineEndpoint endpoint : endpoints.all()) {
            if (endpoint.provisioningState() == ProvisioningState.Deleting) {
                ResourceId id = ResourceId.parse(endpoint.id());
                operations.start(id, "finishing delete", stage -> {
                    deployments.removeAll(id);
                    trafficLog.deleteEndpoint(id);
                    endpoints.remove(id);
                });
            }
        }
        endpoints.adoptLegacyIdentities();
        networking.start();
        deployments.recover();
        routing.refreshAll();
    }

    /** {@code <home>/server.json}: where everything is, for the CLI; written once ready, removed on a clean stop. */
    private void writeServerJson() {
        Path temp = config.home().resolve("server.json.tmp");
        try {
            Files.writeString(temp, enclave.core.Json.PRETTY.writeValueAsString(info()));
            Files.move(temp, serverJson(), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + serverJson(), e);
        }
    }

    public Path serverJson() {
        return config.home().resolve("server.json");
    }

    public String managementUrl() {
        return "https://" + config.bindAddress() + ":" + fabric.managementPort();
    }

    public String gatewayUrl() {
        return "https://" + config.bindAddress() + ":" + fabric.gatewayPort();
    }

    public String scoringUri(String endpointName) {
        return gatewayUrl() + ScoringGateway.PATH_PREFIX + endpointName + "/score";
    }

    public VirtualNetworks virtualNetworks() {
        return virtualNetworks;
    }

    public PrivateEndpoints privateEndpoints() {
        return privateEndpoints;
    }

    /** The platform's public address: the bind address as an IP (the DNS server answers it for platform names). */
    private String publicAddress() {
        return config.bindAddress().equals("localhost") ? "127.0.0.1" : config.bindAddress();
    }

    public DnsServer dns() {
        return dns;
    }

    public Platform platform() {
        return platform;
    }

    public Path caFile() {
        return ca.certificateFile();
    }

    /** The platform CA as a PKCS#12 trust store for Java clients (password {@link CertificateAuthority#TRUST_STORE_PASSWORD}). */
    public Path caTrustStoreFile() {
        return ca.trustStoreFile();
    }

    /** The listeners: private endpoints bind and unbind theirs here, worker sandboxes open Unix-domain ones. */
    public Fabric fabric() {
        return fabric;
    }

    /** The DNS names the platform serves resources under (region and suffixes). */
    public PlatformNames names() {
        return names;
    }

    /** What {@code enclave status} shows and {@code server.json} holds. */
    public Map<String, Object> info() {
        Map<String, Object> info = new java.util.LinkedHashMap<>();
        info.put("version", VERSION);
        info.put("pid", ProcessHandle.current().pid());
        info.put("home", config.home().toAbsolutePath().toString());
        info.put("managementUrl", managementUrl());
        info.put("gatewayUrl", gatewayUrl());
        info.put("scoringUrlBase", gatewayUrl() + ScoringGateway.PATH_PREFIX);
        info.put("caFile", caFile().toAbsolutePath().toString());
        fabric.httpsPort().ifPresent(port -> info.put("httpsPort", port));
        info.put("caTrustStore", caTrustStoreFile().toAbsolutePath().toString());
        info.put("tenantId", platform.tenantId());
        info.put("subscriptionId", platform.subscriptionId());
        info.put("location", config.location());
        info.put("python", config.python());
        info.put("dnsAddress", dns.publicAddress());
        info.put("dnsPort", dns.port());
        return info;
    }

    private static void createDirectories(Path home) {
        try {
            Files.createDirectories(home.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + home, e);
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(serverJson());
        } catch (IOException e) {
            log.warn("could not remove {}: {}", serverJson(), e.toString());
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping the listeners failed: {}", e.toString());
        }
        maintenance.shutdownNow();
        dns.close();
        prometheus.close();
        deployments.close();
        runtime.close();
        operations.close();
        trafficLog.close();
        database.close();
        log.info("enclave stopped");
    }

}
