package enclave.server;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.PlatformNames;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.core.http.Http;
import enclave.identity.Audiences;
import enclave.identity.TokenService;
import enclave.monitor.account.QueryEndpoints;
import enclave.monitor.query.MonitorQueryApi;
import enclave.monitor.query.NetworkAccessCheck;
import enclave.server.network.NetworkDiagnosis;
import enclave.serving.gateway.NetworkAccess;
import enclave.serving.gateway.NetworkPath;
import enclave.serving.gateway.ScoringGateway;
import enclave.storage.account.StorageAccount;
import enclave.storage.account.StorageAccounts;
import enclave.storage.blob.BlobApi;
import enclave.storage.blob.BlobRequest;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane's front door. By host first: {@code <endpoint>.<region>.inference.ml.azure.com} is scoring of that
 * endpoint, {@code <guid>.workspace.<region>.api.azureml.ms} the workspace's data plane, {@code <account>.blob.core.windows.net}
 * the blob service with the path {@code /<container>/<blob>}; then by
 * path: scoring under {@code /endpoints/}, blob storage (path style) under {@code /<account>/}. Requests on a host the
 * platform does not serve fall back to path style.
 */
final class GatewayHandler {
    private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);

    private final ScoringGateway scoring;
    private final NetworkAccess networkAccess;
    private final PlatformNames names;
    private final StorageAccounts storageAccounts;
    private final BlobApi blobs;
    private final TokenService tokens;
    private final Authorizer authorizer;
    private final MonitorQueryApi monitorQuery;
    private final QueryEndpoints queryEndpoints;
    private final WorkspaceDataPlane workspaceDataPlane;

    GatewayHandler(ScoringGateway scoring, NetworkAccess networkAccess, PlatformNames names, StorageAccounts storageAccounts, BlobApi blobs,
            TokenService tokens, Authorizer authorizer, MonitorQueryApi monitorQuery, QueryEndpoints queryEndpoints, WorkspaceDataPlane workspaceDataPlane) {
        this.scoring = scoring;
        this.workspaceDataPlane = workspaceDataPlane;
        this.queryEndpoints = queryEndpoints;
        this.networkAccess = networkAccess;
        this.names = names;
        this.storageAccounts = storageAccounts;
        this.blobs = blobs;
        this.tokens = tokens;
        this.authorizer = authorizer;
        this.monitorQuery = monitorQuery;
    }

    /**
     * Called on the Jetty thread that read the request, which serves other connections too: scoring requests, whose path
     * never blocks, are handled right here; blob, monitor and workspace requests, which read files or call other processes, go to a
     * virtual thread of their own.
     */
    void handle(NetworkPath networkPath, Request request, Response response, Callback callback, String requestId) {
        String path = request.getHttpURI().getPath();
        String host = request.getHttpURI().getHost();
        Optional<String> hostEndpoint = names.endpointOf(host);
        if (hostEndpoint.isPresent()) {
            guarded(requestId, request, response, callback,
                    () -> scoring.handle(networkPath, hostEndpoint.get(), path.isEmpty() ? "/score" : path, request, response, callback, requestId));
            return;
        }
        Optional<String> hostWorkspace = workspaceDataPlane.workspaceOf(host);
        Optional<String> hostAccount = hostWorkspace.isPresent() ? Optional.empty() : names.blobAccountOf(host);
        // The same order as below: a monitor query host or path wins over a path-style scoring path (a cheap check for those).
        if (hostWorkspace.isEmpty() && hostAccount.isEmpty() && path.startsWith(ScoringGateway.PATH_PREFIX) && !monitorQuery.accepts(request)) {
            guarded(requestId, request, response, callback, () -> scoring.handle(networkPath, path, request, response, callback, requestId));
            return;
        }
        Thread.startVirtualThread(() -> guarded(requestId, request, response, callback, () -> {
            if (hostWorkspace.isPresent()) {
                workspaceDataPlane.handle(networkPath, hostWorkspace.get(), request, response, callback);
            } else if (hostAccount.isPresent()) {
                blob(networkPath, hostAccount.get(), path, request, response, callback, requestId);
            } else if (monitorQuery.accepts(request)) {
                monitorQuery.handle(monitorRule(networkPath), request, response, callback, requestId);
            } else if (path.startsWith(ScoringGateway.PATH_PREFIX)) {
                scoring.handle(networkPath, path, request, response, callback, requestId);
            } else {
                String trimmed = path.startsWith("/") ? path.substring(1) : path;
                int slash = trimmed.indexOf('/');
                String accountName = (slash < 0 ? trimmed : trimmed.substring(0, slash)).toLowerCase(Locale.ROOT);
                blob(networkPath, accountName, BlobApi.pathAfterAccount(request), request, response, callback, requestId);
            }
        }));
    }

    private static void guarded(String requestId, Request request, Response response, Callback callback, Runnable handling) {
        try {
            handling.run();
        } catch (Exception e) {
            log.error("gateway request {} {} {} failed", requestId, request.getMethod(), request.getHttpURI().getPath(), e);
            // This may run on the Jetty thread that read a scoring request: drain without blocking.
            Http.drainBodyAsync(request, response, () -> Http.sendJson(response, callback, 500,
                    Http.errorBody("InternalServerError", "Enclave failed to handle this request; request id " + requestId)));
        }
    }

    /** The gateway's network rule for a monitor account's query endpoint (private endpoints with groupId prometheusMetrics). */
    private NetworkAccessCheck monitorRule(NetworkPath networkPath) {
        return account -> {
            if (networkPath instanceof NetworkPath.Public && account.publicNetworkAccessEnabled()) {
                return Optional.empty();
            }
            NetworkAccess.Target target = NetworkDiagnosis.monitorTarget(account, queryEndpoints);
            return networkAccess.check(networkPath, target) instanceof NetworkAccess.Outcome.Refused refused
                    ? Optional.of(new EnclaveException(refused.code(), refused.message()))
                    : Optional.empty();
        };
    }

    /** A blob request for {@code accountName}; {@code rawPath} is the still-encoded {@code /<container>/<blob>} part (or "" / "/"). */
    private void blob(NetworkPath networkPath, String accountName, String rawPath, Request request, Response response, Callback callback,
            String requestId) {
        Optional<StorageAccount> account = accountName.isEmpty() ? Optional.empty() : storageAccounts.findByName(accountName);
        if (account.isEmpty()) {
            BlobApi.sendError(response, callback, 404, "ResourceNotFound", "no endpoint or storage account at " + request.getHttpURI().getPath(), requestId);
            return;
        }
        // The network path decides before any credential is looked at. A public account on the public listener is the common case: skip the rule.
        if (!(networkPath instanceof NetworkPath.Public) || !account.get().publicNetworkAccessEnabled()) {
            NetworkAccess.Target target = NetworkDiagnosis.storageTarget(account.get(), names);
            if (networkAccess.check(networkPath, target) instanceof NetworkAccess.Outcome.Refused refused) {
                BlobApi.sendError(response, callback, refused.status(), refused.code().name(), refused.message(), requestId);
                return;
            }
        }
        Optional<String> token = Http.bearer(request);
        if (token.isEmpty()) {
            BlobApi.sendError(response, callback, 401, "NoAuthenticationInformation",
                    "this request needs 'Authorization: Bearer <token>' for " + Audiences.STORAGE, requestId);
            return;
        }
        Caller caller;
        try {
            caller = tokens.validate(token.get(), Audiences.STORAGE);
        } catch (EnclaveException e) {
            BlobApi.sendError(response, callback, 401, "InvalidAuthenticationInfo", e.getMessage(), requestId);
            return;
        }
        Optional<BlobRequest> classified = BlobRequest.classify(request.getMethod(), rawPath, Request.extractQueryParameters(request));
        if (classified.isPresent()) {
            BlobRequest blobRequest = classified.get();
            String action = blobRequest.operation().action();
            ResourceId scope = ResourceId.parse(blobRequest.scope(account.get()));
            Decision decision = blobRequest.operation().dataAction() ? authorizer.checkData(caller, action, scope) : authorizer.check(caller, action, scope);
            if (decision instanceof Decision.Denied denied) {
                BlobApi.sendError(response, callback, 403, "AuthorizationPermissionMismatch",
                        "This request is not authorized to perform this operation using this permission (" + action + " at " + scope + "): "
                                + denied.reason(), requestId);
                return;
            }
        }
        blobs.handle(account.get(), rawPath, request, response, callback, requestId);
    }
}
