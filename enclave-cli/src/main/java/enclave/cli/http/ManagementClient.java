package enclave.cli.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The control-plane (ARM) REST client: adds {@code api-version} and a management bearer token to every
 * call, and turns {@code {"error":{"code","message"}}} answers into {@link CliException}s.
 */
public final class ManagementClient {
    public static final String API_VERSION = "2024-04-01";

    private final URI baseUrl;
    private final HttpTransport http;
    private final TokenSource tokens;

    public ManagementClient(URI baseUrl, HttpTransport http, TokenSource tokens) {
        this.baseUrl = baseUrl;
        this.http = http;
        this.tokens = tokens;
    }

    public ManagementClient(URI baseUrl, SSLContext ssl, TokenSource tokens) {
        this(baseUrl, new HttpTransport(ssl, line -> {}), tokens);
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** GET that must succeed. */
    public JsonNode get(String path) {
        return require(send("GET", url(path), null));
    }

    /** GET where 404 means "absent". */
    public Optional<JsonNode> find(String path) {
        ApiResponse response = send("GET", url(path), null);
        if (response.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(require(response));
    }

    /** Every element of a list answer ({@code value}), following {@code nextLink}. */
    public List<JsonNode> list(String path) {
        return pages(get(path));
    }

    /** Like {@link #list}, with 404 meaning "no elements" (the versions of an asset never registered). */
    public List<JsonNode> listIfExists(String path) {
        return find(path).map(this::pages).orElse(List.of());
    }

    private List<JsonNode> pages(JsonNode first) {
        List<JsonNode> all = new ArrayList<>();
        JsonNode page = first;
        while (true) {
            page.path("value").forEach(all::add);
            String link = page.path("nextLink").asText("");
            if (link.isEmpty()) {
                return all;
            }
            page = require(send("GET", URI.create(link), null));
        }
    }

    public ApiResponse put(String path, JsonNode body) {
        return checked(send("PUT", url(path), body));
    }

    public ApiResponse patch(String path, JsonNode body) {
        return checked(send("PATCH", url(path), body));
    }

    public ApiResponse post(String path, JsonNode body) {
        return checked(send("POST", url(path), body));
    }

    public ApiResponse delete(String path) {
        return checked(send("DELETE", url(path), null));
    }

    /** GET of an absolute url the server handed out (operation status, next pages). */
    public ApiResponse getUrl(URI url) {
        return checked(send("GET", url, null));
    }

    /** {@link #getUrl(URI)} with extra request headers; 304 Not Modified counts as an answer, not as an error. */
    public ApiResponse getUrl(URI url, Map<String, String> extraHeaders) {
        ApiResponse response = send("GET", url, null, extraHeaders);
        return response.status() == 304 ? response : checked(response);
    }

    public URI url(String path) {
        String separator = path.contains("?") ? "&" : "?";
        return HttpTransport.resolve(baseUrl, path + separator + "api-version=" + API_VERSION);
    }

    private ApiResponse send(String method, URI uri, JsonNode body) {
        return send(method, uri, body, Map.of());
    }

    private ApiResponse send(String method, URI uri, JsonNode body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("Authorization", "Bearer " + tokens.token(TokenSource.MANAGEMENT).value());
        headers.put("Accept", "application/json");
        byte[] bytes = null;
        if (body != null) {
            headers.put("Content-Type", "application/json");
            bytes = bytes(body);
        }
        return http.send(method, uri, headers, bytes);
    }

    private static JsonNode require(ApiResponse response) {
        return checked(response).body();
    }

    private static ApiResponse checked(ApiResponse response) {
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
        return response;
    }

    private static byte[] bytes(JsonNode body) {
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
