package enclave.core.http;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One REST call in progress: the matched parameters, the authenticated caller, and ways to answer. */
public final class Call {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Map<String, String> params;
    private final Optional<Caller> caller;
    private final String requestId;
    private Fields query;
    private boolean answered;

    public Call(Request request, Response response, Callback callback, Map<String, String> params, Optional<Caller> caller, String requestId) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.params = Map.copyOf(params);
        this.caller = caller;
        this.requestId = requestId;
    }

    public String param(String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no parameter " + name);
        }
        return value;
    }

    public Optional<String> query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return Optional.ofNullable(query.getValue(name));
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeaders().get(name));
    }

    /** The authenticated caller; routes declared {@link Route#ANONYMOUS} have none. */
    public Caller caller() {
        return caller.orElseThrow(() -> new EnclaveException(ErrorCode.AuthenticationFailed, "this operation needs a signed-in caller"));
    }

    public String requestId() {
        return requestId;
    }

    public Request request() {
        return request;
    }

    public <T> T body(Class<T> type) {
        return Http.readJson(request, type);
    }

    public byte[] rawBody(long limit) {
        return Http.readBody(request, limit);
    }

    public void json(int status, Object body) {
        answered = true;
        Http.sendJson(response, callback, status, body);
    }

    /** Answers with a JSON body and extra headers (e.g. {@code Azure-AsyncOperation}, {@code Location}). */
    public void json(int status, Object body, Map<String, String> headers) {
        headers.forEach((name, value) -> response.getHeaders().put(name, value));
        json(status, body);
    }

    /** Answers with a body that is not JSON (e.g. the Prometheus text format). */
    public void bytes(int status, String contentType, byte[] body) {
        answered = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }

    public void empty(int status, Map<String, String> headers) {
        answered = true;
        headers.forEach((name, value) -> response.getHeaders().put(name, value));
        Http.sendEmpty(response, callback, status);
    }

    /** The base URL this call came in on ({@code https://host:port}), for links in answers. */
    public String baseUrl() {
        String host = request.getHeaders().get(HttpHeader.HOST);
        return request.getHttpURI().getScheme() + "://" + (host != null ? host : Request.getServerName(request) + ":" + Request.getServerPort(request));
    }

    public boolean answered() {
        return answered;
    }

    public Response response() {
        return response;
    }

    public Callback callback() {
        return callback;
    }
}
