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

    /** One blob as a listing shows it. */
    public record BlobEntry(String name, long size, String contentType, String lastModified) {}

    public void deleteContainer(String container) {
        ApiResponse response = http.send("DELETE", HttpTransport.resolve(blobEndpoint, encodePath(container) + "?restype=container"), headers(), null);
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
    }

    /** The account's containers, by name. */
    public java.util.List<String> listContainers() {
        java.util.List<String> names = new java.util.ArrayList<>();
        String marker = "";
        do {
            org.w3c.dom.Document page = xml(http.send("GET", HttpTransport.resolve(blobEndpoint, "?comp=list" + markerQuery(marker)), headers(), null));
            org.w3c.dom.NodeList containers = page.getElementsByTagName("Container");
            for (int i = 0; i < containers.getLength(); i++) {
                names.add(child((org.w3c.dom.Element) containers.item(i), "Name"));
            }
            marker = text(page, "NextMarker");
        } while (!marker.isEmpty());
        return names;
    }

    /** The blobs of a container under {@code prefix}, following continuation markers. */
    public java.util.List<BlobEntry> list(String container, String prefix) {
        java.util.List<BlobEntry> entries = new java.util.ArrayList<>();
        String marker = "";
        do {
            String query = "?restype=container&comp=list" + (prefix.isEmpty() ? "" : "&prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)) + markerQuery(marker);
            org.w3c.dom.Document page = xml(http.send("GET", HttpTransport.resolve(blobEndpoint, encodePath(container) + query), headers(), null));
            org.w3c.dom.NodeList blobs = page.getElementsByTagName("Blob");
            for (int i = 0; i < blobs.getLength(); i++) {
                org.w3c.dom.Element blob = (org.w3c.dom.Element) blobs.item(i);
                String size = child(blob, "Content-Length");
                entries.add(new BlobEntry(child(blob, "Name"), size.isEmpty() ? 0 : Long.parseLong(size), child(blob, "Content-Type"), child(blob, "Last-Modified")));
            }
            marker = text(page, "NextMarker");
        } while (!marker.isEmpty());
        return entries;
    }

    public void download(String container, String blobPath, Path target) {
        ApiResponse response = http.download(HttpTransport.resolve(blobEndpoint, encodePath(container + "/" + blobPath)), headers(), target);
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
    }

    public void delete(String container, String blobPath) {
        ApiResponse response = http.send("DELETE", HttpTransport.resolve(blobEndpoint, encodePath(container + "/" + blobPath)), headers(), null);
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
    }

    private static String markerQuery(String marker) {
        return marker.isEmpty() ? "" : "&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8);
    }

    private static org.w3c.dom.Document xml(ApiResponse response) {
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
        try {
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(response.text().getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new enclave.cli.console.CliException("InvalidResponse", "the blob service answered " + response.uri() + " with XML that does not parse: "
                    + e.getMessage());
        }
    }

    private static String text(org.w3c.dom.Document document, String tag) {
        org.w3c.dom.NodeList nodes = document.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
    }

    private static String child(org.w3c.dom.Element element, String tag) {
        org.w3c.dom.NodeList nodes = element.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
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
