package enclave.server;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Caller;
import enclave.core.http.Http;
import enclave.core.http.Route;
import enclave.identity.Audiences;
import enclave.identity.TokenService;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's front: match a route, require api-version on ARM paths, authenticate the bearer token for the
 * management audience, check the route's RBAC action at its scope, run the handler, and turn failures into ARM errors.
 */
final class ManagementHandler {
    private static final Logger log = LoggerFactory.getLogger(ManagementHandler.class);

    private final List<Route> routes;
    private final TokenService tokens;
    private final Authorizer authorizer;

    ManagementHandler(List<Route> routes, TokenService tokens, Authorizer authorizer) {
        this.routes = List.copyOf(routes);
        this.tokens = tokens;
        this.authorizer = authorizer;
    }

    void handle(Request request, Response response, Callback callback, String requestId) {
        String path = request.getHttpURI().getDecodedPath();
        String method = request.getMethod();
        response.getHeaders().put("x-ms-request-id", requestId);
        response.getHeaders().put("x-request-id", requestId);
        long started = System.nanoTime();
        String principal = "-";
        int status = 500;
        try {
            Route route = null;
            Map<String, String> params = null;
            boolean pathKnown = false;
            for (Route candidate : routes) {
                Optional<Map<String, String>> match = candidate.match(method, path);
                if (match.isPresent()) {
                    route = candidate;
                    params = match.get();
                    break;
                }
                pathKnown |= candidate.matchesPath(path);
            }
            if (route == null) {
                throw pathKnown ? new EnclaveException(ErrorCode.MethodNotAllowed, method + " is not supported on " + path)
                        : new EnclaveException(ErrorCode.ResourceNotFound, "no resource or operation at " + path);
            }
            if (path.toLowerCase(java.util.Locale.ROOT).startsWith("/subscriptions/") && Request.extractQueryParameters(request).getValue("api-version") == null) {
                throw new EnclaveException(ErrorCode.MissingApiVersionParameter, "the api-version query parameter is required, e.g. ?api-version=2024-04-01");
            }
            Optional<Caller> caller = Optional.empty();
            if (!route.action().equals(Route.ANONYMOUS)) {
                Caller authenticated = authenticate(request);
                principal = authenticated.objectId();
                caller = Optional.of(authenticated);
                ResourceId scope = ResourceId.parse(route.scope().apply(params));
                Decision decision = authorizer.check(authenticated, route.action(), scope);
                if (decision instanceof Decision.Denied denied) {
                    throw new EnclaveException(ErrorCode.AuthorizationFailed, "the client '" + authenticated.displayName() + "' with object id '"
                            + authenticated.objectId() + "' does not have authorization to perform action '" + route.action() + "' over scope '" + scope
                            + "': " + denied.reason());
                }
            }
            Call call = new Call(request, response, callback, params, caller, requestId);
            route.handler().handle(call);
            if (!call.answered()) {
                throw new IllegalStateException("route " + route.template() + " did not answer");
            }
            status = response.getStatus();
        } catch (EnclaveException e) {
            status = e.status();
            if (e.code() == ErrorCode.AuthenticationFailed || e.code() == ErrorCode.InvalidAuthenticationToken || e.code() == ErrorCode.ExpiredAuthenticationToken) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer authorization_uri=\"" + tokens.issuer() + "\", error=\"invalid_token\"");
            }
            Http.drainBody(request, response);
            Http.sendError(response, callback, e);
        } catch (Exception e) {
            log.error("request {} {} {} failed", requestId, method, path, e);
            status = 500;
            Http.drainBody(request, response);
            Http.sendJson(response, callback, 500, Http.errorBody(ErrorCode.InternalServerError.name(),
                    "Enclave failed to handle this request; the server log has the details under request id " + requestId));
        } finally {
            log.info("mgmt request={} method={} path={} principal={} status={} ms={}", requestId, method, path, principal, status,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private Caller authenticate(Request request) {
        String token = Http.bearer(request).orElseThrow(() -> new EnclaveException(ErrorCode.AuthenticationFailed,
                "this request needs 'Authorization: Bearer <token>' for " + Audiences.MANAGEMENT
                        + "; sign in with the enclave CLI or get a token from the token endpoint"));
        return tokens.validate(token, Audiences.MANAGEMENT);
    }
}
