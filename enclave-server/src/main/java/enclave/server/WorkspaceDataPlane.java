package enclave.server;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.PlatformNames;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.core.http.Http;
import enclave.identity.Audiences;
import enclave.identity.TokenService;
import enclave.serving.gateway.NetworkAccess;
import enclave.serving.gateway.NetworkPath;
import enclave.serving.workspace.Workspace;
import enclave.serving.workspace.Workspaces;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The workspace's data plane on its own host, {@code <workspace guid>.workspace.<region>.api.azureml.ms}: what Azure ML's
 * clients reach through the workspace's private endpoint (group id {@code amlworkspace}). Enclave serves the workspace's
 * discovery document there ({@code GET /} or {@code /discovery}: the workspace's identity and where its services are),
 * behind the same order as every data-plane request: the network rule (public network access, private endpoints), then a
 * token for {@code https://ml.azure.com}, then {@code workspaces/read} on the workspace.
 */
public final class WorkspaceDataPlane {
    static final String READ = "Microsoft.MachineLearningServices/workspaces/read";

    private final Workspaces workspaces;
    private final NetworkAccess networkAccess;
    private final PlatformNames names;
    private final TokenService tokens;
    private final Authorizer authorizer;
    private final Supplier<Map<String, Object>> services;

    /** @param services where the platform's services are (management and scoring URLs), as the discovery document shows */
    WorkspaceDataPlane(Workspaces workspaces, NetworkAccess networkAccess, PlatformNames names, TokenService tokens, Authorizer authorizer,
            Supplier<Map<String, Object>> services) {
        this.workspaces = workspaces;
        this.networkAccess = networkAccess;
        this.names = names;
        this.tokens = tokens;
        this.authorizer = authorizer;
        this.services = services;
    }

    /** Whether {@code host} names a workspace's data plane. */
    Optional<String> workspaceOf(String host) {
        return names.workspaceOf(host);
    }

    /** What the network rule judges for a request to {@code host}, if it names a workspace: for {@code network diagnose} too. */
    public Optional<NetworkAccess.Target> targetOf(String host) {
        return workspaceOf(host).flatMap(workspaces::findByWorkspaceId).map(this::target);
    }

    private NetworkAccess.Target target(Workspace workspace) {
        return new NetworkAccess.Target(NetworkAccess.Kind.WORKSPACE, workspace.id(), workspace.name(), workspace.publicNetworkAccessEnabled(),
                Optional.empty(), names.workspaceHost(workspace.workspaceId()));
    }

    void handle(NetworkPath networkPath, String workspaceGuid, Request request, Response response, Callback callback) {
        try {
            Workspace workspace = workspaces.findByWorkspaceId(workspaceGuid).orElseThrow(() -> new EnclaveException(ErrorCode.WorkspaceNotFound,
                    "no workspace has the id " + workspaceGuid));
            NetworkAccess.Target target = target(workspace);
            if (networkAccess.check(networkPath, target) instanceof NetworkAccess.Outcome.Refused refused) {
                throw new EnclaveException(refused.code(), refused.message());
            }
            String token = Http.bearer(request).orElseThrow(() -> new EnclaveException(ErrorCode.AuthenticationFailed,
                    "the workspace's data plane needs 'Authorization: Bearer <token>' for " + Audiences.ML));
            Caller caller = tokens.validate(token, Audiences.ML);
            if (authorizer.check(caller, READ, ResourceId.parse(workspace.id())) instanceof Decision.Denied denied) {
                throw new EnclaveException(ErrorCode.AuthorizationFailed, "'" + caller.displayName() + "' may not read workspace '" + workspace.name() + "' ("
                        + READ + "): " + denied.reason());
            }
            String path = request.getHttpURI().getPath();
            if (!"GET".equals(request.getMethod()) || !(path.isEmpty() || path.equals("/") || path.equals("/discovery"))) {
                throw new EnclaveException(ErrorCode.ResourceNotFound, "the workspace's data plane answers GET / and GET /discovery; not " + request.getMethod()
                        + " " + path);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", workspace.id());
            body.put("name", workspace.name());
            body.put("workspaceId", workspace.workspaceId());
            body.put("location", workspace.location());
            body.put("publicNetworkAccess", workspace.publicNetworkAccess());
            body.put("reachedThrough", networkPath.describe());
            body.putAll(services.get());
            Http.drainBody(request, response);
            Http.sendJson(response, callback, 200, body);
        } catch (EnclaveException e) {
            Http.drainBody(request, response);
            Http.sendError(response, callback, e);
        }
    }
}
