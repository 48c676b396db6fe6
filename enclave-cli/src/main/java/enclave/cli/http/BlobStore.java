package enclave.cli.http;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The few blob-service calls asset uploads need, authenticated with a storage-audience token. */
public final class BlobStore {
    private static final String VERSION = "2023-11-03";

    private final HttpTransport http;
    private final URI blobEndpoint;
    private final TokenSource tokens;

    public BlobStore(HttpTransport http, URI blobEndpoint, TokenSource tokens) {
        this.http = http;
        this.blobEndpoint = blobEndpoint;
        this.tokens = tokens;
    }

    /** Creates the container; one that already exists is fine. */
    public void createContainer(String container) {
        ApiResponse response = http.send("PUT", HttpTransport.resolve(blobEndpoint, encodePath(container) + "?restype=container"), headers(), null);
        if (!response.ok() && response.status() != 409) {
            throw HttpTransport.error(response);
        }
    }

    /** Uploads one file as a block blob at {@code container/blobPath} ({@code /}-separated, not yet encoded). */
    public void upload(String container, String blobPath, Path file) {
        Map<String, String> headers = new LinkedHashMap<>(headers());
        headers.put("x-ms-blob-type", "BlockBlob");
        headers.put("Content-Type", "application/octet-stream");
        ApiResponse response = http.upload("PUT", HttpTransport.resolve(blobEndpoint, encodePath(container + "/" + blobPath)), headers, file);
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
    }

    private Map<String, String> headers() {
        return Map.of("x-ms-version", VERSION, "Authorization", "Bearer " + tokens.token(TokenSource.STORAGE).value());
    }

    /** Percent-encodes each segment of a {@code /}-separated path. */
    public static String encodePath(String path) {
        return Arrays.stream(path.split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }
}
