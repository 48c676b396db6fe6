package enclave.server;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.core.http.Http;
import enclave.identity.Audiences;
import enclave.identity.TokenService;
import enclave.monitor.query.MonitorQueryApi;
import enclave.monitor.query.NetworkAccessCheck;
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

/** The data plane's front door: scoring under {@code /endpoints/}, blob storage (path style) under {@code /<account>/}. */
final class GatewayHandler {
    private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);

    private final ScoringGateway scoring;
    private final StorageAccounts storageAccounts;
    private final BlobApi blobs;
    private final TokenService tokens;
    private final Authorizer authorizer;
    private final MonitorQueryApi monitorQuery;

    GatewayHandler(ScoringGateway scoring, StorageAccounts storageAccounts, BlobApi blobs, TokenService tokens, Authorizer authorizer,
            MonitorQueryApi monitorQuery) {
        this.scoring = scoring;
        this.storageAccounts = storageAccounts;
        this.blobs = blobs;
        this.tokens = tokens;
        this.authorizer = authorizer;
        this.monitorQuery = monitorQuery;
    }

    void handle(NetworkPath networkPath, Request request, Response response, Callback callback, String requestId) {
        String path = request.getHttpURI().getPath();
        try {
            if (path.startsWith(ScoringGateway.PATH_PREFIX)) {
                scoring.handle(networkPath, path, request, response, callback, requestId);
                return;
            }
            if (monitorQuery.accepts(request)) {
                monitorQuery.handle(NetworkAccessCheck.publicListener(networkPath instanceof NetworkPath.Public, networkPath.describe()), request, response,
                        callback, requestId);
                return;
            }
            blob(path, request, response, callback, requestId);
        } catch (Exception e) {
            log.error("gateway request {} {} {} failed", requestId, request.getMethod(), path, e);
            Http.drainBody(request, response);
            Http.sendJson(response, callback, 500, Http.errorBody("InternalServerError", "Enclave failed to handle this request; request id " + requestId));
        }
    }

    private void blob(String path, Request request, Response response, Callback callback, String requestId) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        String accountName = (slash < 0 ? trimmed : trimmed.substring(0, slash)).toLowerCase(Locale.ROOT);
        Optional<StorageAccount> account = accountName.isEmpty() ? Optional.empty() : storageAccounts.findByName(accountName);
        if (account.isEmpty()) {
            BlobApi.sendError(response, callback, 404, "ResourceNotFound", "no endpoint or storage account at " + path, requestId);
            return;
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
        String rawPath = BlobApi.pathAfterAccount(request);
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
