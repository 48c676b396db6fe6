package enclave.bench;

import enclave.authz.Decision;
import enclave.authz.RoleBasedAuthorizer;
import enclave.authz.assignment.RoleAssignmentTable;
import enclave.authz.assignment.RoleAssignments;
import enclave.authz.role.RoleDefinitions;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.identity.Audiences;
import enclave.identity.Principal;
import enclave.identity.Principals;
import enclave.identity.SigningKeys;
import enclave.identity.TokenService;
import enclave.serving.endpoint.AuthMode;
import enclave.serving.endpoint.EndpointIdentity;
import enclave.serving.endpoint.EndpointKeys;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.endpoint.ProvisioningState;
import enclave.serving.gateway.CredentialCheck;
import enclave.serving.gateway.TrafficSplit;
import enclave.serving.trafficlog.TrafficLog;
import enclave.serving.trafficlog.TrafficRecord;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request steps of the scoring path, each as the gateway calls it, over the real classes wired as
 * {@code EnclaveServer} wires them (H2 in a temp directory, real signing keys, the Owner assignment of the admin).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public class HotPaths {
    private static final String TENANT = "bench-tenant";
    private static final ResourceId SUBSCRIPTION = ResourceId.subscription("bench-sub");
    private static final ResourceId WORKSPACE = ResourceId.of("bench-sub", "rg", "Microsoft.MachineLearningServices", "workspaces", "ws");

    private Path directory;
    private Database database;
    private TrafficLog trafficLog;
    private CredentialCheck credentials;
    private RoleBasedAuthorizer authorizer;
    private Caller admin;
    private ResourceId keyEndpointId;
    private ResourceId amlEndpointId;
    private ResourceId aadEndpointId;
    private OnlineEndpoint keyEndpoint;
    private OnlineEndpoint amlEndpoint;
    private OnlineEndpoint aadEndpoint;
    private char[] keyHeader;
    private char[] amlHeader;
    private char[] aadHeader;
    private TrafficSplit split;
    private TrafficRecord record;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("enclave-jmh");
        Clock clock = Clock.systemUTC();
        database = Database.open(directory.resolve("db"));
        Principals principals = new Principals(database.dataSource());
        Principal principal = principals.createServicePrincipal(TENANT, "bench-admin").principal();
        RoleAssignmentTable table = new RoleAssignmentTable(database.dataSource());
        RoleDefinitions roles = new RoleDefinitions(new JdbcResourceStore(database.dataSource()), table);
        RoleAssignments assignments = new RoleAssignments(table, roles, principals::byObjectId, clock);
        assignments.grantBuiltIn(principal.objectId(), "Owner", SUBSCRIPTION, principal.objectId());
        authorizer = new RoleBasedAuthorizer(roles, assignments);
        TokenService tokens = new TokenService(SigningKeys.open(directory.resolve("keys")), "https://127.0.0.1:1/" + TENANT + "/v2.0", TENANT, clock);
        credentials = new CredentialCheck(tokens, authorizer);
        admin = new Caller(principal.objectId(), TENANT, "bench-admin", principal.appId(), Audiences.ML);

        keyEndpointId = WORKSPACE.child("onlineEndpoints", "ep-key");
        amlEndpointId = WORKSPACE.child("onlineEndpoints", "ep-aml");
        aadEndpointId = WORKSPACE.child("onlineEndpoints", "ep-aad");
        keyEndpoint = endpoint(keyEndpointId, AuthMode.Key);
        amlEndpoint = endpoint(amlEndpointId, AuthMode.AMLToken);
        aadEndpoint = endpoint(aadEndpointId, AuthMode.AADToken);
        // What Http.bearer hands the check: the credential after "Bearer ".
        // Kept as characters: each call gets a String of its own, as each request's header is (a reused String would
        // carry its cached hash code, and a 1.2 KB token's hashing would never be measured).
        keyHeader = keyEndpoint.keys().secondaryKey().toCharArray();
        amlHeader = tokens.issue(principal, TokenService.endpointAudience(amlEndpointId.key()), Duration.ofHours(1)).accessToken().toCharArray();
        aadHeader = tokens.issue(principal, Audiences.ML, Duration.ofHours(1)).accessToken().toCharArray();

        // The benchmarks measure the accepted path: a refusal here would time the wrong thing.
        for (CredentialCheck.Outcome outcome : List.of(credentialKey(), credentialAmlToken(), credentialAadToken())) {
            if (!(outcome instanceof CredentialCheck.Outcome.Authenticated)) {
                throw new IllegalStateException("the benchmark's credential is not accepted: " + outcome);
            }
        }

        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put("blue", 90);
        weights.put("green", 10);
        split = TrafficSplit.of(weights);
        trafficLog = new TrafficLog(directory.resolve("trafficlog"));
        record = new TrafficRecord(Instant.now(), "POST", "/endpoints/ep-key/score", "bench-sub", "ws", "ep-key", "blue", "HTTP/1.1", 200, "OK", 200,
                "OK", 120, 40, "wrk", "b1d7c1e4-5a83-4a8e-9d3c-2f9b1f1c0a11", "", 1, 1, 0, 0, 0, "key", "", false);
    }

    private static OnlineEndpoint endpoint(ResourceId id, AuthMode mode) {
        return new OnlineEndpoint(id.toString(), id.name(), "local", Map.of(), "", mode, EndpointIdentity.none(""), "Enabled", Map.of("blue", 100), Map.of(),
                ProvisioningState.Succeeded, EndpointKeys.generate(), true, Instant.now());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        trafficLog.close();
        System.out.println("traffic log: " + trafficLog.dropped() + " records dropped (queue full)");
        database.close();
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** The secondary key, so both constant-time comparisons run in full. */
    @Benchmark
    public CredentialCheck.Outcome credentialKey() {
        return credentials.check(keyEndpointId, keyEndpoint, Optional.of(String.valueOf(keyHeader)));
    }

    @Benchmark
    public CredentialCheck.Outcome credentialAmlToken() {
        return credentials.check(amlEndpointId, amlEndpoint, Optional.of(String.valueOf(amlHeader)));
    }

    /** Token validation plus the RBAC check of the score action. */
    @Benchmark
    public CredentialCheck.Outcome credentialAadToken() {
        return credentials.check(aadEndpointId, aadEndpoint, Optional.of(String.valueOf(aadHeader)));
    }

    @Benchmark
    public Decision rbacScoreAction() {
        return authorizer.check(admin, CredentialCheck.SCORE_ACTION, aadEndpointId);
    }

    @Benchmark
    public Optional<String> trafficChoice() {
        return split.choose(ThreadLocalRandom.current().nextInt(100));
    }

    /**
     * Enqueueing one record, as the gateway does after answering. The writer drains into H2 meanwhile; when the
     * benchmark outruns it the queue is full and this measures the drop path (the count is printed at the end).
     */
    @Benchmark
    public void trafficLogEnqueue() {
        trafficLog.record(keyEndpointId, record);
    }
}
