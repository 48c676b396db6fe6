package enclave.cli.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import enclave.core.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A stand-in for the managed identity endpoint an Azure host offers (App Service's {@code IDENTITY_ENDPOINT}, the older
 * {@code MSI_ENDPOINT}): plain HTTP on loopback, a token per resource for a caller that shows the right header.
 */
public final class FakeIdentityEndpoint implements AutoCloseable {
    public static final String SECRET = "identity-header-value";
    public static final long EXPIRES_ON = 1_900_000_000L;

    /** What one token request carried. */
    public record Request(String path, Map<String, String> query, Map<String, String> headers) {}

    private final HttpServer server;
    private final String header;
    private final boolean expiresOnAsString;
    public final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    private FakeIdentityEndpoint(HttpServer server, String header, boolean expiresOnAsString) {
        this.server = server;
        this.header = header;
        this.expiresOnAsString = expiresOnAsString;
    }

    /** {@code header} is the one the protocol uses: {@code X-IDENTITY-HEADER} or {@code secret}. */
    public static FakeIdentityEndpoint start(String header, boolean expiresOnAsString) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        FakeIdentityEndpoint fake = new FakeIdentityEndpoint(http, header, expiresOnAsString);
        http.createContext("/", fake::handle);
        http.start();
        return fake;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/msi/token";
    }

    /** The token this endpoint hands out for a resource (and client id, for a user-assigned identity). */
    public static String token(String resource, String clientId) {
        return "mi-token:" + (clientId == null ? "system" : clientId) + ":" + resource;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = new LinkedHashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            for (String pair : raw == null ? new String[0] : raw.split("&")) {
                String[] parts = pair.split("=", 2);
                query.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8), parts.length < 2 ? "" : URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
            }
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
            requests.add(new Request(exchange.getRequestURI().getPath(), query, headers));
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            int status;
            if (!SECRET.equals(headers.get(header.toLowerCase(Locale.ROOT)))) {
                status = 401;
                answer.putObject("error").put("code", "AuthenticationFailed").put("message", "missing or wrong " + header);
            } else {
                status = 200;
                String clientId = query.containsKey("client_id") ? query.get("client_id") : query.get("clientid");
                answer.put("access_token", token(query.get("resource"), clientId));
                if (expiresOnAsString) {
                    answer.put("expires_on", String.valueOf(EXPIRES_ON));
                } else {
                    answer.put("expires_on", EXPIRES_ON);
                }
                answer.put("resource", query.get("resource")).put("token_type", "Bearer");
            }
            byte[] bytes = Json.MAPPER.writeValueAsBytes(answer);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
