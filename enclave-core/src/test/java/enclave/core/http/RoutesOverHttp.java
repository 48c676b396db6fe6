package enclave.core.http;

import enclave.core.EnclaveException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A module's REST routes on a real HTTP listener on loopback, matched and run as the management front does, without
 * authentication (that is tested where it lives): for the route tests of the modules below the server.
 */
public final class RoutesOverHttp implements AutoCloseable {
    private final Server server;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    private RoutesOverHttp(Server server, String base) {
        this.server = server;
        this.base = base;
    }

    public static RoutesOverHttp start(List<Route> routes) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Router(routes));
        server.start();
        return new RoutesOverHttp(server, "http://127.0.0.1:" + connector.getLocalPort());
    }

    /** {@code method path} with a JSON {@code body} (none when null); {@code path} may carry a query. */
    public HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).method(method, publisher).header("Content-Type", "application/json").build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private static final class Router extends Handler.Abstract {
        private final List<Route> routes;

        Router(List<Route> routes) {
            this.routes = routes;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            for (Route route : routes) {
                Optional<Map<String, String>> params = route.match(request.getMethod(), path);
                if (params.isPresent()) {
                    Call call = new Call(request, response, callback, params.get(), Optional.empty(), "test-request");
                    try {
                        route.handler().handle(call);
                    } catch (EnclaveException e) {
                        Http.sendError(response, callback, e);
                    } catch (Exception e) {
                        callback.failed(e);
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
