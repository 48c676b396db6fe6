package enclave.monitor.account;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Http;
import enclave.core.http.Route;
import enclave.monitor.engine.PrometheusEngine;
import enclave.monitor.metrics.PlatformMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The ARM REST mapping of monitor accounts ({@code Microsoft.Monitor/accounts}) on the management listener, the Enclave
 * extensions {@code linkWorkspace}/{@code unlinkWorkspace}, and the per-account scrape endpoint its Prometheus reads.
 */
public final class MonitorAccountApi {
    static final String COLLECTION = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Monitor/accounts";
    static final String ACCOUNT = COLLECTION + "/{account}";
    static final String SUBSCRIPTION_COLLECTION = "/subscriptions/{sub}/providers/Microsoft.Monitor/accounts";
    /** Where an account's Prometheus scrapes its series: this prefix and the account GUID. */
    public static final String SCRAPE_PREFIX = "/enclave/metrics/accounts/";
    /** Linking a workspace sends its endpoints' metrics to the account, so it needs write access on the workspace too. */
    static final String WORKSPACE_WRITE = "Microsoft.MachineLearningServices/workspaces/write";
    private static final long MAX_BODY = 1024 * 1024;

    private final MonitorAccounts accounts;
    private final PrometheusEngine engine;
    private final PlatformMetrics metrics;
    private final QueryEndpoints endpoints;
    private final Authorizer authorizer;
    private final Predicate<ResourceId> resourceGroupExists;
    private final Function<ResourceId, List<?>> privateEndpointConnections;

    /**
     * @param privateEndpointConnections an account's private endpoint connections in their ARM shape (Azure shows them as
     *     {@code properties.privateEndpointConnections}); the network module knows them, monitor does not depend on it
     */
    public MonitorAccountApi(MonitorAccounts accounts, PrometheusEngine engine, PlatformMetrics metrics, QueryEndpoints endpoints, Authorizer authorizer,
            Predicate<ResourceId> resourceGroupExists, Function<ResourceId, List<?>> privateEndpointConnections) {
        this.privateEndpointConnections = privateEndpointConnections;
        this.accounts = accounts;
        this.engine = engine;
        this.metrics = metrics;
        this.endpoints = endpoints;
        this.authorizer = authorizer;
        this.resourceGroupExists = resourceGroupExists;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("PUT", ACCOUNT, MonitorAccount.TYPE + "/write", this::put),
                Route.of("GET", ACCOUNT, MonitorAccount.TYPE + "/read", call -> call.json(200, toArm(accounts.get(accountId(call))))),
                Route.of("DELETE", ACCOUNT, MonitorAccount.TYPE + "/delete", this::delete),
                Route.of("GET", COLLECTION, MonitorAccount.TYPE + "/read",
                        call -> call.json(200, Map.of("value", accounts.list(existingGroup(call)).stream().map(this::toArm).toList()))),
                Route.of("GET", SUBSCRIPTION_COLLECTION, MonitorAccount.TYPE + "/read", this::listSubscription),
                Route.of("POST", ACCOUNT + "/linkWorkspace", MonitorAccount.TYPE + "/write", call -> link(call, true)),
                Route.of("POST", ACCOUNT + "/unlinkWorkspace", MonitorAccount.TYPE + "/write", call -> link(call, false)),
                // Prometheus authenticates with the account's own scrape credential, not a platform token.
                Route.of("GET", SCRAPE_PREFIX + "{accountId}", Route.ANONYMOUS, this::scrape));
    }

    /** Starts the Prometheus of every account (at server start). */
    public void startAll() {
        accounts.all().forEach(engine::ensureRunning);
    }

    private void put(Call call) {
        ResourceId id = accountId(call);
        JsonNode body = readBody(call);
        boolean existed = accounts.find(id).isPresent();
        String location = body.path("location").asText("");
        Map<String, String> tags = body.hasNonNull("tags") ? Json.MAPPER.convertValue(body.get("tags"), Json.MAPPER.getTypeFactory()
                .constructMapType(Map.class, String.class, String.class)) : Map.of();
        Optional<String> access = Optional.ofNullable(body.path("properties").get("publicNetworkAccess")).filter(JsonNode::isTextual)
                .map(JsonNode::asText).map(enclave.core.PublicNetworkAccess::normalize);
        MonitorAccount account = accounts.createOrUpdate(id, location.isBlank() ? endpoints.region() : location, tags, access);
        engine.ensureRunning(account);
        call.json(existed ? 200 : 201, toArm(account));
    }

    private void delete(Call call) {
        Optional<MonitorAccount> existing = accounts.find(accountId(call));
        if (existing.isEmpty()) {
            call.empty(204, Map.of());
            return;
        }
        // Engine first: if we stop half-way the account still exists and a retried delete finishes the job.
        engine.remove(existing.get());
        accounts.delete(existing.get().resourceId());
        call.empty(200, Map.of());
    }

    private void listSubscription(Call call) {
        String subscription = call.param("sub");
        List<ArmAccount> value = accounts.all().stream()
                .filter(a -> a.resourceId().subscription().equalsIgnoreCase(subscription))
                .filter(a -> authorizer.check(call.caller(), MonitorAccount.TYPE + "/read", a.resourceId()) instanceof Decision.Allowed)
                .map(this::toArm).toList();
        call.json(200, Map.of("value", value));
    }

    private void link(Call call, boolean link) {
        ResourceId id = accountId(call);
        String workspaceText = readBody(call).path("workspaceId").asText("");
        if (workspaceText.isBlank()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the body needs \"workspaceId\": the ARM id of an ML workspace");
        }
        ResourceId workspace = ResourceId.parse(workspaceText);
        if (!workspace.type().equalsIgnoreCase("Microsoft.MachineLearningServices/workspaces")) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + workspaceText + "' is not an ML workspace id");
        }
        if (link && authorizer.check(call.caller(), WORKSPACE_WRITE, workspace) instanceof Decision.Denied denied) {
            throw new EnclaveException(ErrorCode.AuthorizationFailed, "linking sends workspace '" + workspace.name()
                    + "''s endpoint metrics to this account, so it needs '" + WORKSPACE_WRITE + "' on " + workspace + ": " + denied.reason());
        }
        MonitorAccount account = link ? accounts.link(id, workspace) : accounts.unlink(id, workspace);
        call.json(200, toArm(account));
    }

    private void scrape(Call call) {
        String accountId = call.param("accountId");
        Optional<String> bearer = Http.bearer(call.request());
        if (bearer.isEmpty() || !engine.scrapeCredentialMatches(accountId, bearer.get())) {
            throw new EnclaveException(ErrorCode.AuthenticationFailed, "this endpoint is read by the account's own Prometheus with its scrape credential");
        }
        MonitorAccount account = accounts.all().stream().filter(a -> a.accountId().equals(accountId)).findFirst()
                .orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "no monitor account " + accountId));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            metrics.writeWorkspaces(MonitorAccounts.workspaceKeys(account), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        call.bytes(200, PlatformMetrics.contentType(), out.toByteArray());
    }

    private ResourceId accountId(Call call) {
        existingGroup(call);
        return MonitorAccounts.id(call.param("sub"), call.param("rg"), call.param("account"));
    }

    private ResourceId existingGroup(Call call) {
        ResourceId group = ResourceId.resourceGroup(call.param("sub"), call.param("rg"));
        if (!resourceGroupExists.test(group)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotFound, "resource group '" + group.name() + "' could not be found; create it first");
        }
        return group;
    }

    private static JsonNode readBody(Call call) {
        byte[] raw = call.rawBody(MAX_BODY);
        if (raw.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the request body is not valid JSON: " + e.getMessage());
        }
    }

    ArmAccount toArm(MonitorAccount account) {
        Map<String, Object> metricsSection = new LinkedHashMap<>();
        metricsSection.put("prometheusQueryEndpoint", endpoints.url(account));
        metricsSection.put("internalId", "mac_" + account.accountId());
        // Enclave extension: the same query API by path on the gateway address, for clients without the platform's DNS.
        metricsSection.put("prometheusQueryEndpointByPath", endpoints.pathUrl(account));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("accountId", account.accountId());
        properties.put("metrics", metricsSection);
        properties.put("provisioningState", "Succeeded");
        properties.put("publicNetworkAccess", account.publicNetworkAccess());
        properties.put("privateEndpointConnections", privateEndpointConnections.apply(account.resourceId()));
        properties.put("linkedWorkspaces", account.linkedWorkspaces());
        properties.put("engine", engine.installed() ? "prometheus" : "missing: " + PrometheusEngine.INSTALL_HINT);
        return new ArmAccount(account.id(), account.name(), MonitorAccount.TYPE, account.location(), account.tags(), account.creationTime(), properties);
    }

    record ArmAccount(String id, String name, String type, String location, Map<String, String> tags, Instant createdAt, Map<String, Object> properties) {}
}
