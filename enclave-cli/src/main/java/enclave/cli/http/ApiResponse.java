package enclave.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;

/** One answer from the server: status, headers and the body parsed as JSON (missing when empty or not JSON). */
public record ApiResponse(URI uri, int status, HttpHeaders headers, JsonNode body, String text) {
    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }
}
