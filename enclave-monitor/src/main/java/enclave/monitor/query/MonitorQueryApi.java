package enclave.monitor.query;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.http.Caller;
import enclave.core.http.Http;
import enclave.identity.Audiences;
import enclave.identity.TokenService;
import enclave.monitor.account.MonitorAccount;
import enclave.monitor.account.MonitorAccounts;
import enclave.monitor.account.QueryEndpoints;
import enclave.monitor.engine.PrometheusEngine;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query front door of monitor accounts on the gateway, top to bottom: which account (by host
 * {@code <name>-<key>.<region>.prometheus...} or path {@code /monitor/<name>-<key>/}) → network access → bearer token for
 * the monitor audience → data action {@value #READ_ACTION} on the account → proxy to the account's own Prometheus. Only
 * Prometheus' read API is passed on; its admin and write endpoints are never reachable.
 */
public final class MonitorQueryApi {
    private static final Logger log = LoggerFactory.getLogger(MonitorQueryApi.class);
    public static final String READ_ACTION = "Microsoft.Monitor/accounts/data/metrics/read";
    private static final Pattern READ_API = Pattern.compile(
            "/api/v1/(query|query_range|series|labels|label/[^/]+/values|metadata|query_exemplars|status/buildinfo)");
    private static final long MAX_BODY = 1024 * 1024;

    private final MonitorAccounts accounts;
    private final PrometheusEngine engine;
    private final QueryEndpoints endpoints;
    private final TokenService tokens;
    private final Authorizer authorizer;
    private final HttpClient upstream = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

    public MonitorQueryApi(MonitorAccounts accounts, PrometheusEngine engine, QueryEndpoints endpoints, TokenService tokens, Authorizer authorizer) {
        this.accounts = accounts;
        this.engine = engine;
        this.endpoints = endpoints;
        this.tokens = tokens;
        this.authorizer = authorizer;
    }

    /** Whether this gateway request is for a monitor query endpoint (by host or by path); no store access unless the path starts with /monitor/. */
    public boolean accepts(Request request) {
        if (endpoints.labelOfHost(Request.getServerName(request)).isPresent()) {
            return true;
        }
        // "/monitor/" could also be a storage account named "monitor": only a path naming an existing account's label is ours.
        String path = request.getHttpURI().getPath();
        return path.startsWith(QueryEndpoints.PATH_PREFIX) && accounts.findByHostLabel(target(request).label()).isPresent();
    }

    /** Answers one query request; {@link #accepts} was true. */
    public void handle(NetworkAccessCheck networkAccess, Request request, Response response, Callback callback, String requestId) {
        response.getHeaders().put("x-request-id", requestId);
        try {
            Target target = target(request);
            MonitorAccount account = accounts.findByHostLabel(target.label())
                    .orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "no monitor account answers at '" + target.label() + "'"));
            Optional<EnclaveException> refusal = networkAccess.refusal(account);
            if (refusal.isPresent()) {
                throw refusal.get();
            }
            Caller caller = authenticate(request);
            if (authorizer.checkData(caller, READ_ACTION, account.resourceId()) instanceof Decision.Denied denied) {
                throw new EnclaveException(ErrorCode.AuthorizationFailed, "the client '" + caller.displayName() + "' with object id '" + caller.objectId()
                        + "' does not have authorization to perform data action '" + READ_ACTION + "' over scope '" + account.id() + "': "
                        + denied.reason() + "; a role such as 'Monitoring Data Reader' on the account grants it");
            }
            if (!READ_API.matcher(target.apiPath()).matches()) {
                throw new EnclaveException(ErrorCode.ResourceNotFound, "'" + target.apiPath() + "' is not part of the query API; use /api/v1/query, "
                        + "/api/v1/query_range, /api/v1/series, /api/v1/labels or /api/v1/label/<name>/values");
            }
            if (!"GET".equals(request.getMethod()) && !"POST".equals(request.getMethod())) {
                throw new EnclaveException(ErrorCode.MethodNotAllowed, "the query API takes GET or POST");
            }
            proxy(account, target.apiPath(), request, response, callback);
        } catch (EnclaveException e) {
            Http.drainBody(request, response);
            Http.sendError(response, callback, e);
        } catch (IOException e) {
            log.error("monitor query {} {} failed", requestId, request.getHttpURI().getPath(), e);
            Http.drainBody(request, response);
            Http.sendJson(response, callback, 502, Http.errorBody("BadGateway", "the account's Prometheus failed to answer; request id " + requestId));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Http.sendJson(response, callback, 503, Http.errorBody(ErrorCode.ServiceUnavailable.name(), "the platform is stopping"));
        }
    }

    private Target target(Request request) {
        String path = request.getHttpURI().getPath();
        Optional<String> byHost = endpoints.labelOfHost(Request.getServerName(request));
        if (byHost.isPresent()) {
            return new Target(byHost.get(), path);
        }
        String rest = path.substring(QueryEndpoints.PATH_PREFIX.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new Target(rest, "/") : new Target(rest.substring(0, slash), rest.substring(slash));
    }

    private Caller authenticate(Request request) {
        String token = Http.bearer(request).or(() -> basicPassword(request)).orElseThrow(() -> new EnclaveException(ErrorCode.AuthenticationFailed,
                "this request needs 'Authorization: Bearer <token>' for " + Audiences.MONITOR + " (e.g. enclave account get-access-token --resource "
                        + Audiences.MONITOR + "); clients that only speak basic auth (promtool) pass the token as the password"));
        return tokens.validate(token, Audiences.MONITOR);
    }

    /**
     * The password of {@code Authorization: Basic}, which is taken as the token: tools without bearer support (Debian's promtool
     * 2.42) send it from a URL {@code https://token:<token>@host/...}. The token is validated exactly as a bearer token is.
     */
    private static Optional<String> basicPassword(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 || colon == decoded.length() - 1 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void proxy(MonitorAccount account, String apiPath, Request request, Response response, Callback callback)
            throws IOException, InterruptedException {
        if (!engine.installed()) {
            throw new EnclaveException(ErrorCode.ServiceUnavailable, PrometheusEngine.INSTALL_HINT);
        }
        URI base = engine.queryBase(account).orElseThrow(() -> starting(account));
        String query = request.getHttpURI().getQuery();
        URI uri = URI.create(base + apiPath + (query == null ? "" : "?" + query));
        HttpRequest.Builder forward = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2));
        if ("POST".equals(request.getMethod())) {
            byte[] body = Http.readBody(request, MAX_BODY);
            forward.header("Content-Type", Optional.ofNullable(request.getHeaders().get(HttpHeader.CONTENT_TYPE)).orElse("application/x-www-form-urlencoded"));
            forward.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            forward.GET();
        }
        HttpResponse<byte[]> answer;
        try {
            answer = upstream.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw starting(account);
        } catch (HttpTimeoutException e) {
            throw new EnclaveException(ErrorCode.UpstreamTimeout, "the query took longer than 2 minutes; narrow its range or step");
        }
        response.setStatus(answer.statusCode());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.headers().firstValue("Content-Type").orElse("application/json"));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }

    private static EnclaveException starting(MonitorAccount account) {
        return new EnclaveException(ErrorCode.ServiceUnavailable, "the Prometheus of monitor account '" + account.name()
                + "' is starting (or restarting after a failure); retry in a few seconds");
    }

    private record Target(String label, String apiPath) {}
}
