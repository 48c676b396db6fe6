package enclave.serving.gateway;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Futures;
import enclave.core.http.Caller;
import enclave.core.http.Http;
import enclave.core.metrics.SeriesKey;
import enclave.core.metrics.ServingMetrics;
import enclave.core.metrics.ServingMetrics.AuthFailure;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.runtime.RunningDeployment;
import enclave.serving.runtime.ScoreRequest;
import enclave.serving.runtime.ScoreResult;
import enclave.serving.trafficlog.TrafficLog;
import enclave.serving.trafficlog.TrafficRecord;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The scoring request path, top to bottom: network path → target endpoint → network access ({@link NetworkAccess}) → credential →
 * route (header or traffic split, plus mirror) → forward to a worker → answer → traffic-log record.
 */
public final class ScoringGateway {
    public static final String PATH_PREFIX = "/endpoints/";
    public static final String DEPLOYMENT_HEADER = "azureml-model-deployment";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    private final RoutingTable routes;
    private final NetworkAccess networkAccess;
    private final CredentialCheck credentials;
    private final TrafficLog trafficLog;
    private final Clock clock;
    private final long maxBodyBytes;
    private final ServingMetrics metrics;

    public ScoringGateway(RoutingTable routes, NetworkAccess networkAccess, CredentialCheck credentials, TrafficLog trafficLog, Clock clock,
            long maxBodyBytes) {
        this(routes, networkAccess, credentials, trafficLog, clock, maxBodyBytes, ServingMetrics.NONE);
    }

    public ScoringGateway(RoutingTable routes, NetworkAccess networkAccess, CredentialCheck credentials, TrafficLog trafficLog, Clock clock,
            long maxBodyBytes, ServingMetrics metrics) {
        this.routes = routes;
        this.networkAccess = networkAccess;
        this.credentials = credentials;
        this.trafficLog = trafficLog;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
    }

    /** One path-style scoring exchange; {@code path} starts with {@link #PATH_PREFIX} ({@code /endpoints/<name>/score}). */
    public void handle(NetworkPath networkPath, String path, Request request, Response response, Callback callback, String requestId) {
        String rest = path.substring(PATH_PREFIX.length());
        int slash = rest.indexOf('/');
        String endpointName = slash < 0 ? rest : rest.substring(0, slash);
        String subPath = slash < 0 ? "/score" : rest.substring(slash);
        handle(networkPath, endpointName, subPath, request, response, callback, requestId);
    }

    /**
     * One scoring exchange for {@code endpointName}, whether named in the path or by the host
     * ({@code <endpoint>.<region>.inference.ml.azure.com}); {@code subPath} is what the model sees ({@code /score}).
     */
    public void handle(NetworkPath networkPath, String endpointName, String subPath, Request request, Response response, Callback callback,
            String requestId) {
        long started = System.nanoTime();
        Exchange exchange = new Exchange(request, response, callback, requestId, started);

        Optional<EndpointRoute> found = routes.find(endpointName);
        if (found.isEmpty()) {
            exchange.fail(404, ErrorCode.EndpointNotFound, "endpoint '" + endpointName + "' does not exist");
            return;
        }
        EndpointRoute route = found.get();
        OnlineEndpoint endpoint = route.endpoint();
        exchange.route = route;

        if (networkAccess.check(networkPath, route.networkTarget()) instanceof NetworkAccess.Outcome.Refused refused) {
            exchange.authFailed(AuthFailure.network_access);
            exchange.fail(refused.status(), refused.code(), refused.message());
            return;
        }

        switch (credentials.check(route.id(), endpoint, Http.bearer(request))) {
            case CredentialCheck.Outcome.Refused refused -> {
                exchange.authFailed(Http.bearer(request).isEmpty() ? AuthFailure.missing_credential : AuthFailure.invalid_credential);
                exchange.fail(401, ErrorCode.AuthenticationFailed, refused.reason());
                return;
            }
            case CredentialCheck.Outcome.Forbidden forbidden -> {
                exchange.authFailed(AuthFailure.forbidden);
                exchange.fail(403, ErrorCode.AuthorizationFailed, forbidden.reason());
                return;
            }
            case CredentialCheck.Outcome.Authenticated authenticated -> exchange.caller = authenticated.caller();
        }

        Optional<String> pinned = Optional.ofNullable(request.getHeaders().get(DEPLOYMENT_HEADER)).map(h -> h.trim().toLowerCase(Locale.ROOT));
        String deploymentName;
        if (pinned.isPresent()) {
            deploymentName = pinned.get();
        } else {
            Optional<String> chosen = route.traffic().choose(ThreadLocalRandom.current().nextInt(100));
            if (chosen.isEmpty()) {
                exchange.fail(404, ErrorCode.NoDeploymentToRoute, "endpoint '" + endpoint.name()
                        + "' has no deployment with traffic; set traffic (enclave ml online-endpoint update -n " + endpoint.name()
                        + " --traffic \"<deployment>=100\") or send the header azureml-model-deployment");
                return;
            }
            deploymentName = chosen.get();
        }
        exchange.deployment = deploymentName;
        RunningDeployment deployment = route.deployments().get(deploymentName);
        if (deployment == null) {
            exchange.fail(404, ErrorCode.DeploymentNotFound, "deployment '" + deploymentName + "' of endpoint '" + endpoint.name()
                    + "' does not exist or is not running");
            return;
        }

        Http.readBodyAsync(request, maxBodyBytes).whenComplete((body, failure) -> {
            if (failure != null) {
                Throwable cause = Futures.cause(failure);
                if (cause instanceof EnclaveException e) {
                    exchange.fail(e.status(), e.code(), e.getMessage());
                } else {
                    exchange.fail(400, ErrorCode.BadRequest, "could not read the request body: " + cause);
                }
                return;
            }
            forward(route, deployment, pinned.isPresent(), subPath, body, exchange);
        });
    }

    /** Sends the request on to the deployment; the answer is written on the thread that completes the score (a worker I/O thread). */
    private void forward(EndpointRoute route, RunningDeployment deployment, boolean pinned, String subPath, byte[] body, Exchange exchange) {
        Request request = exchange.request;
        exchange.requestBytes = body.length;
        Map<String, String> headers = new HashMap<>();
        headers.put("x-request-id", exchange.requestId);
        copyHeader(request, headers, "Content-Type");
        copyHeader(request, headers, "Accept");
        exchange.clientRequestId().ifPresent(id -> headers.put("x-ms-client-request-id", id));
        ScoreRequest scoreRequest = new ScoreRequest(request.getMethod(), subPath, headers, body);

        if (!pinned) {
            route.mirror().filter(m -> ThreadLocalRandom.current().nextInt(100) < m.percent()).ifPresent(m -> mirror(route, m.deployment(), scoreRequest, exchange));
        }

        deployment.scoreAsync(scoreRequest).whenComplete((result, failure) -> {
            try {
                exchange.answer(failure == null ? result : new ScoreResult.Unavailable("the request failed inside Enclave: " + failure));
            } catch (RuntimeException e) {
                exchange.callback.failed(e);
            }
        });
    }

    private void mirror(EndpointRoute route, String shadow, ScoreRequest request, Exchange live) {
        RunningDeployment deployment = route.deployments().get(shadow);
        if (deployment == null) {
            return;
        }
        Thread.startVirtualThread(() -> {
            long started = System.nanoTime();
            ScoreResult result = deployment.score(request);
            int status = switch (result) {
                case ScoreResult.Answered a -> a.status();
                case ScoreResult.Throttled t -> 429;
                case ScoreResult.TimedOut t -> 408;
                case ScoreResult.Unavailable u -> 502;
            };
            long responseBytes = result instanceof ScoreResult.Answered a ? a.body().length : 0;
            record(route, live, shadow, status, status == 200 ? "OK" : "mirror", status, request.body().length, responseBytes, started, true);
        });
    }

    private static void copyHeader(Request request, Map<String, String> headers, String name) {
        String value = request.getHeaders().get(name);
        if (value != null) {
            headers.put(name, value);
        }
    }

    private void record(EndpointRoute route, Exchange exchange, String deployment, int status, String reason, int modelStatus, long requestBytes,
            long responseBytes, long startedNanos, boolean mirrored) {
        if (route == null || !route.endpoint().trafficLogging()) {
            return;
        }
        Request request = exchange.request;
        long totalMs = (System.nanoTime() - startedNanos) / 1_000_000;
        String userAgent = Optional.ofNullable(request.getHeaders().get(HttpHeader.USER_AGENT)).orElse("");
        if (userAgent.length() > 70) {
            userAgent = userAgent.substring(0, 70);
        }
        Instant now = clock.instant();
        trafficLog.record(route.key(), new TrafficRecord(now, request.getMethod(), request.getHttpURI().getPath(), route.id().subscription(),
                route.workspaceName(), route.endpoint().name(), deployment == null ? "" : deployment,
                request.getConnectionMetaData().getProtocol(), status, reason, modelStatus, reason, requestBytes, responseBytes, userAgent, exchange.requestId,
                exchange.clientRequestId().orElse(""), totalMs, totalMs, 0, 0, 0, route.endpoint().authMode().yaml(),
                exchange.caller == null ? "" : exchange.caller.objectId(), mirrored));
    }

    /** One request's state as it moves down the path, and the ways it can be answered. */
    private final class Exchange {
        final Request request;
        final Response response;
        final Callback callback;
        final String requestId;
        final long started;
        EndpointRoute route;
        Caller caller;
        String deployment;
        long requestBytes;

        Exchange(Request request, Response response, Callback callback, String requestId, long started) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.requestId = requestId;
            this.started = started;
            response.getHeaders().put("x-request-id", requestId);
            clientRequestId().ifPresent(id -> response.getHeaders().put("x-ms-client-request-id", id));
        }

        Optional<String> clientRequestId() {
            return Optional.ofNullable(request.getHeaders().get("x-ms-client-request-id")).filter(id -> CLIENT_REQUEST_ID.matcher(id).matches());
        }

        void fail(int status, ErrorCode code, String message) {
            // Without blocking (this runs on a Jetty or worker I/O thread): the body is read to its end first, so that
            // the connection can carry the next request.
            Http.drainBodyAsync(request, response, () -> {
                byte[] body = Http.errorBody(code.name(), message);
                send(status, "application/json", body, Map.of());
                record(route, this, deployment, status, code.name(), 0, requestBytes, body.length, started, false);
            });
        }

        void answer(ScoreResult result) {
            switch (result) {
                case ScoreResult.Answered answered -> {
                    Map<String, String> extra = new HashMap<>();
                    extra.put(DEPLOYMENT_HEADER, deployment);
                    int status = answered.status();
                    String reason = "OK";
                    if (status >= 300) {
                        // The model answered but not with success: Azure reports 424 with the model's status, except that an
                        // exception in run() is the model failing (500), with its message in the body.
                        extra.put("ms-azureml-model-error-statuscode", Integer.toString(status));
                        extra.put("ms-azureml-model-error-reason", status == 500 ? "model error: run() raised an exception" : "model returned " + status);
                        reason = status == 500 ? "ModelError" : "ModelNonSuccess";
                        status = status == 500 ? 500 : 424;
                    }
                    String contentType = contentType(answered.headers());
                    send(status, contentType, answered.body(), extra);
                    record(route, this, deployment, status, reason, answered.status(), requestBytes, answered.body().length, started, false);
                }
                case ScoreResult.Throttled throttled -> fail(429, ErrorCode.TooManyRequests, "too many requests for deployment '" + deployment + "': "
                        + throttled.reason() + "; retry later or raise max_concurrent_requests_per_instance / instance_count");
                case ScoreResult.TimedOut timedOut -> fail(408, ErrorCode.RequestTimeout, "deployment '" + deployment + "' did not answer within its request_timeout_ms ("
                        + timedOut.afterMillis() + " ms)");
                case ScoreResult.Unavailable unavailable -> fail(502, ErrorCode.WorkerUnavailable, "deployment '" + deployment + "' could not take the request: "
                        + unavailable.reason());
            }
        }

        /** The model's Content-Type, else JSON; a loop, not a stream: this runs for every answer. */
        private static String contentType(Map<String, String> headers) {
            for (Map.Entry<String, String> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase("Content-Type")) {
                    return header.getValue();
                }
            }
            return "application/json";
        }

        /** The series this exchange counts in; empty until the target endpoint is known. */
        Optional<SeriesKey> series() {
            if (route == null) {
                return Optional.empty();
            }
            return Optional.of(new SeriesKey(route.workspaceKey(), route.endpointKey(), deployment));
        }

        void authFailed(AuthFailure reason) {
            series().ifPresent(s -> metrics.authFailed(s, reason));
        }

        private void send(int status, String contentType, byte[] body, Map<String, String> extra) {
            series().ifPresent(s -> metrics.requestCompleted(s, status, System.nanoTime() - started));
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            extra.forEach((name, value) -> response.getHeaders().put(name, value));
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}
