package enclave.server;

import enclave.authz.RoleApi;
import enclave.authz.RoleBasedAuthorizer;
import enclave.authz.assignment.RoleAssignmentTable;
import enclave.authz.assignment.RoleAssignments;
import enclave.authz.role.RoleDefinitions;
import enclave.core.ResourceId;
import enclave.core.http.Route;
import enclave.identity.Principals;
import enclave.identity.SigningKeys;
import enclave.identity.TokenService;
import enclave.identity.managed.UserAssignedIdentities;
import enclave.identity.managed.UserAssignedIdentityApi;
import enclave.network.dns.DnsServer;
import enclave.network.dns.NetworkDirectory;
import enclave.network.dns.PlatformNames;
import enclave.network.dns.PlatformSuffixes;
import enclave.network.dns.PrivateDnsZoneApi;
import enclave.network.dns.PrivateDnsZones;
import enclave.network.dns.SplitHorizon;
import enclave.network.dns.Upstream;
import enclave.server.identity.DirectoryApi;
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
import enclave.serving.gateway.NetworkPath;
import enclave.serving.gateway.RoutingTable;
import enclave.serving.gateway.ScoringGateway;
import enclave.serving.identity.ManagedIdentityEndpoint;
import enclave.serving.operation.OperationApi;
import enclave.serving.operation.Operations;
import enclave.serving.runtime.PythonWorkerRuntime;
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
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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
    private static final String MANAGEMENT = "management";
    private static final String GATEWAY = "gateway";

    private final ServerConfig config;
    private final Database database;
    private final Server jetty;
    private final ServerConnector managementConnector;
    private final ServerConnector gatewayConnector;
    private final Platform platform;
    private final CertificateAuthority ca;
    private final Operations operations;
    private final Deployments deployments;
    private final TrafficLog trafficLog;
    private final PythonWorkerRuntime runtime;
    private final Endpoints endpoints;
    private final RoutingTable routing;
    private final DnsServer dns;
    private static final java.time.Duration KEY_ROTATION = java.time.Duration.ofDays(7);
    private final java.util.concurrent.ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("enclave-maintenance").daemon().factory());

    public EnclaveServer(ServerConfig config) {
        this.config = config;
        Clock clock = Clock.systemUTC();
        Path home = config.home();
        createDirectories(home);

        database = Database.open(home.resolve("db"));
        ResourceStore store = new JdbcResourceStore(database.dataSource());
        Principals principals = new Principals(database.dataSource());
        platform = Platform.bootstrap(store, principals, home);
        ca = CertificateAuthority.open(home.resolve("tls"));

        // Bind the listeners first: URLs that resources show (scoring URIs, blob endpoints) need the real ports.
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("enclave-http");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        jetty = new Server(threads);
        KeyStore serverKeys = ca.issueServerKeyStore(List.of("localhost"), List.of(config.bindAddress()), "enclave".toCharArray());
        managementConnector = connector(jetty, MANAGEMENT, config.bindAddress(), config.managementPort(), serverKeys, org.eclipse.jetty.http.UriCompliance.DEFAULT);
        // Blob names may hold '%', encoded slashes and empty segments, as Azure allows.
        gatewayConnector = connector(jetty, GATEWAY, config.bindAddress(), config.gatewayPort(), serverKeys, BlobApi.URI_COMPLIANCE);
        try {
            managementConnector.open();
            gatewayConnector.open();
        } catch (IOException e) {
            database.close();
            throw new UncheckedIOException("cannot listen on " + config.bindAddress() + " ports " + config.managementPort() + "/" + config.gatewayPort()
                    + " (is another Enclave running? ./enclave status)", e);
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
        runtime = new PythonWorkerRuntime(Path.of(config.python()), home.resolve("runtime"));
        routing = new RoutingTable();
        // A deleted managed identity takes its role assignments with it.
        UserAssignedIdentities userAssignedIdentities = new UserAssignedIdentities(store, principals, platform.tenantId(), resourceGroups::exists,
                principalId -> roleAssignments.deleteAllOf(principalId, "enclave"), clock);
        endpoints = new Endpoints(store, workspaces, new EndpointIdentities(principals, userAssignedIdentities, roleAssignments, platform.tenantId()), clock,
                routing::refresh);
        ManagedIdentityEndpoint managedIdentity = new ManagedIdentityEndpoint(endpoints, principals, tokens, managementUrl() + ManagedIdentityEndpoint.PATH,
                caFile());
        deployments = new Deployments(store, endpoints, workspaces, assets, operations, new StorageInitializer(blobStore, clock),
                new PullPermissions(authorizer), managedIdentity, runtime, home.resolve("deployments"), clock, routing::refresh);
        routing.bind(endpoints, deployments);

        // Private DNS and the split-horizon DNS server (docs/architecture.md, "DNS"). No virtual networks yet: an empty
        // directory; the public names come from the store on every query.
        NetworkDirectory networkDirectory = NetworkDirectory.empty();
        PrivateDnsZones privateDnsZones = new PrivateDnsZones(store, networkDirectory, resourceGroups::exists, clock);
        PlatformSuffixes dnsSuffixes = PlatformSuffixes.azure(config.location());
        PlatformDnsNames dnsNames = new PlatformDnsNames(store, dnsSuffixes);
        try {
            dns = new DnsServer(new SplitHorizon(new PlatformNames(publicAddress(), dnsSuffixes, dnsNames::current), privateDnsZones,
                    config.dnsUpstream().map(Upstream::parse)), publicAddress(), config.dnsPort());
        } catch (RuntimeException e) {
            managementConnector.close();
            gatewayConnector.close();
            database.close();
            throw e;
        }
        networkDirectory.all().forEach(dns::addNetwork);

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
        }, deleted -> routing.refreshAll(),
                (creator, storage) -> roleAssignments.grantBuiltIn(creator.objectId(), "Storage Blob Data Contributor", storage, creator.objectId())).routes());
        routes.addAll(new StorageAccountApi(storageAccounts, resourceGroups::exists).routes());
        routes.addAll(new AssetApi(assets, workspaces, clock).routes());
        // Connection secrets are sealed with a key kept in its own file, apart from the database.
        routes.addAll(new ConnectionApi(new Connections(store, workspaces, SecretBox.open(home.resolve("keys").resolve("secrets.key")), clock)).routes());
        routes.addAll(new EndpointApi(endpoints, deployments, operations, trafficLog, this::scoringUri, tokens).routes());
        routes.addAll(new DiagnosticSettingsApi(endpoints).routes());
        routes.addAll(new DeploymentApi(deployments, clock).routes());
        routes.addAll(new OperationApi(operations).routes());
        routes.addAll(new PrivateDnsZoneApi(privateDnsZones).routes());
        ManagementHandler management = new ManagementHandler(routes, tokens, authorizer);
        ScoringGateway scoring = new ScoringGateway(routing, new CredentialCheck(tokens, authorizer), trafficLog, clock, config.maxRequestBytes());
        GatewayHandler gateway = new GatewayHandler(scoring, storageAccounts, new BlobApi(blobStore, storageAccounts), tokens, authorizer);
        NetworkPath publicPath = new NetworkPath.Public();

        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String requestId = UUID.randomUUID().toString();
                if (GATEWAY.equals(request.getConnectionMetaData().getConnector().getName())) {
                    gateway.handle(publicPath, request, response, callback, requestId);
                } else {
                    management.handle(request, response, callback, requestId);
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
        return "https://" + config.bindAddress() + ":" + managementConnector.getLocalPort();
    }

    public String gatewayUrl() {
        return "https://" + config.bindAddress() + ":" + gatewayConnector.getLocalPort();
    }

    public String scoringUri(String endpointName) {
        return gatewayUrl() + ScoringGateway.PATH_PREFIX + endpointName + "/score";
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
        info.put("tenantId", platform.tenantId());
        info.put("subscriptionId", platform.subscriptionId());
        info.put("location", config.location());
        info.put("python", config.python());
        info.put("dnsAddress", dns.publicAddress());
        info.put("dnsPort", dns.port());
        return info;
    }

    private static ServerConnector connector(Server server, String name, String host, int port, KeyStore keys,
            org.eclipse.jetty.http.UriCompliance uriCompliance) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keys);
        tls.setKeyStorePassword("enclave");
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setUriCompliance(uriCompliance);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach us by IP or by names the certificate may not list (scoring hosts): do not refuse on SNI.
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        connector.setName(name);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        return connector;
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
        deployments.close();
        runtime.close();
        operations.close();
        trafficLog.close();
        database.close();
        log.info("enclave stopped");
    }

}
