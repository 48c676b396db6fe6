package enclave.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Sends HTTPS requests to one Enclave server and turns transport failures into messages a person can act
 * on. Every request carries a fresh {@code x-ms-client-request-id}; with {@code --debug} each exchange is
 * logged as one line.
 */
public final class HttpTransport {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

    // Weak, so that tests running many commands in one JVM do not keep their clients alive.
    private static final Set<HttpClient> CLIENTS = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private final HttpClient client;
    private final Consumer<String> debug;

    public HttpTransport(SSLContext ssl, Consumer<String> debug) {
        this(client(ssl), debug);
    }

    /** A client for one server's TLS, registered with {@link #closeAll}. */
    static HttpClient client(SSLContext ssl) {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        CLIENTS.add(client);
        return client;
    }

    public HttpTransport(HttpClient client, Consumer<String> debug) {
        this.client = client;
        this.debug = debug;
        CLIENTS.add(client);
    }

    /**
     * Stops every client's selector thread; for the CLI process just before it exits. The JVM's exit waits up to
     * 300 ms for threads inside native code, and an idle client's selector sits in epoll_wait: every command that
     * had made a request took 0.3 s longer to end (issue 6).
     */
    public static void closeAll() {
        List<HttpClient> open;
        synchronized (CLIENTS) {
            open = new ArrayList<>(CLIENTS);
            CLIENTS.clear();
        }
        for (HttpClient each : open) {
            each.shutdownNow();
        }
        for (HttpClient each : open) {
            try {
                each.awaitTermination(Duration.ofMillis(200));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public ApiResponse send(String method, URI uri, Map<String, String> headers, byte[] body) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        return exchange(request(method, uri, headers, publisher));
    }

    public ApiResponse upload(String method, URI uri, Map<String, String> headers, Path file) {
        try {
            return exchange(request(method, uri, headers, HttpRequest.BodyPublishers.ofFile(file)));
        } catch (FileNotFoundException e) {
            throw CliException.user("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static HttpRequest request(String method, URI uri, Map<String, String> headers, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .method(method, body)
                .header("User-Agent", "enclave-cli")
                .header("x-ms-client-request-id", UUID.randomUUID().toString());
        headers.forEach(request::header);
        return request.build();
    }

    private ApiResponse exchange(HttpRequest request) {
        long started = System.nanoTime();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            debug.accept(request.method() + " " + request.uri() + " -> " + response.statusCode()
                    + " (" + (System.nanoTime() - started) / 1_000_000 + " ms)");
            String text = new String(response.body(), StandardCharsets.UTF_8);
            return new ApiResponse(request.uri(), response.statusCode(), response.headers(), parse(text), text);
        } catch (ConnectException e) {
            throw notRunning(request.uri());
        } catch (HttpTimeoutException e) {
            throw new CliException("RequestTimeout", request.method() + " " + request.uri() + " got no answer in time");
        } catch (SSLException e) {
            throw new CliException("TlsError", "the TLS handshake with " + origin(request.uri()) + " failed (" + e.getMessage()
                    + "); the server's certificate must come from the CA in this ENCLAVE_HOME");
        } catch (IOException e) {
            if (e.getCause() instanceof ConnectException) {
                throw notRunning(request.uri());
            }
            throw new CliException("ConnectionError", request.method() + " " + request.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted", "interrupted while waiting for " + request.uri());
        }
    }

    private static JsonNode parse(String text) {
        if (text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /**
     * The {@code {"error":{"code","message"}}} of a failed response (or the blob service's XML {@code <Error><Code>/<Message>}),
     * or its status and text when it has neither.
     */
    public static CliException error(ApiResponse response) {
        JsonNode error = response.body().path("error");
        String code = error.path("code").asText("");
        String message = error.path("message").asText("");
        if (code.isEmpty() && response.text().startsWith("<?xml")) {
            code = xmlElement(response.text(), "Code");
            // the blob service appends RequestId and Time lines to its message; the code and first line are what a user needs
            message = xmlElement(response.text(), "Message").lines().findFirst().orElse("");
        }
        if (code.isEmpty()) {
            code = "HttpError" + response.status();
        }
        if (message.isEmpty()) {
            message = response.text().isBlank() ? "the server answered HTTP " + response.status() + " for " + response.uri()
                    : response.text().strip();
        }
        return new CliException(code, message);
    }

    /** Downloads a response body to {@code target} (via a temporary file, so a failed download leaves nothing behind). */
    public ApiResponse download(URI uri, Map<String, String> headers, Path target) {
        Path temp = target.resolveSibling(target.getFileName() + ".part");
        HttpRequest request = request("GET", uri, headers, HttpRequest.BodyPublishers.noBody());
        try {
            HttpResponse<Path> response = client.send(request, HttpResponse.BodyHandlers.ofFile(temp));
            debug.accept("GET " + uri + " -> " + response.statusCode());
            if (response.statusCode() / 100 != 2) {
                String text = java.nio.file.Files.readString(temp, StandardCharsets.UTF_8);
                java.nio.file.Files.deleteIfExists(temp);
                return new ApiResponse(uri, response.statusCode(), response.headers(), parse(text), text);
            }
            java.nio.file.Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new ApiResponse(uri, response.statusCode(), response.headers(), MissingNode.getInstance(), "");
        } catch (ConnectException e) {
            throw notRunning(uri);
        } catch (IOException e) {
            try {
                java.nio.file.Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: the .part file is harmless
            }
            if (e.getCause() instanceof ConnectException) {
                throw notRunning(uri);
            }
            throw new CliException("ConnectionError", "GET " + uri + " into " + target + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted", "interrupted while downloading " + uri);
        }
    }

    private static String xmlElement(String xml, String name) {
        try {
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
            org.w3c.dom.NodeList nodes = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                    .getElementsByTagName(name);
            return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
        } catch (Exception e) {
            return "";
        }
    }

    static CliException notRunning(URI uri) {
        return new CliException("ServerNotRunning", "cannot reach the Enclave server at " + origin(uri)
                + ": start it with ./enclave up");
    }

    /** Joins a base url (with or without a trailing slash) and an absolute path with an optional query. */
    public static URI resolve(URI base, String pathAndQuery) {
        String root = base.toString().replaceAll("/+$", "");
        return URI.create(root + (pathAndQuery.startsWith("/") ? "" : "/") + pathAndQuery);
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }
}
