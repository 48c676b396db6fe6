package enclave.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import enclave.server.EnclaveServer;
import enclave.server.ServerConfig;
import enclave.serving.gateway.PrivateLinkDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A real Enclave server in a temporary data directory on ephemeral loopback ports, with clients that trust its CA. */
final class TestServer implements AutoCloseable {
    final Path home;
    EnclaveServer server;
    final HttpClient http;
    final JsonNode admin;
    private final ServerConfig config;

    private TestServer(Path home, Optional<PrivateLinkDirectory> privateLinks) throws Exception {
        this(config(home), privateLinks);
    }

    private TestServer(ServerConfig config, Optional<PrivateLinkDirectory> privateLinks) throws Exception {
        this.home = config.home();
        this.config = config;
        this.server = new EnclaveServer(config, privateLinks).start();
        this.http = HttpClient.newBuilder().sslContext(sslContext(server.caFile())).connectTimeout(Duration.ofSeconds(5)).build();
        this.admin = Json.MAPPER.readTree(home.resolve("admin.json").toFile());
    }

    static TestServer start() throws Exception {
        return new TestServer(Files.createTempDirectory("enclave-e2e-"), Optional.empty());
    }

    /** A server whose gateway learns about private endpoints and their connections from {@code privateLinks}. */
    static TestServer start(PrivateLinkDirectory privateLinks) throws Exception {
        return new TestServer(Files.createTempDirectory("enclave-e2e-"), Optional.of(privateLinks));
    }

    /**
     * A server on its own loopback address with DNS on port 53 and the gateway also on 443, as {@code ./enclave up} runs as
     * root: Azure names ({@code https://<account>.blob.core.windows.net/...}) resolve and connect without ports, inside
     * deployments too. Needs root (CI runs as root).
     */
    static TestServer startNamed(String bindAddress) throws Exception {
        Path home = Files.createTempDirectory("enclave-e2e-");
        return new TestServer(config(home).withBindAddress(bindAddress).withDns(53, Optional.empty()).withHttpsPort(443), Optional.empty());
    }

    static ServerConfig config(Path home) {
        return ServerConfig.defaults(home).withPorts(0, 0).withDns(0, java.util.Optional.empty()).withHttpsPort(0);
    }

    /** Stops the server and starts a new one on the same data directory (new ports). */
    void restart() {
        server.close();
        server = new EnclaveServer(config).start();
    }

    String subscription() {
        return admin.get("subscriptionId").asText();
    }

    String tenant() {
        return admin.get("tenantId").asText();
    }

    String token(String scope) throws Exception {
        return token(admin.get("clientId").asText(), admin.get("clientSecret").asText(), scope);
    }

    String token(String clientId, String secret, String scope) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + enc(clientId) + "&client_secret=" + enc(secret) + "&scope=" + enc(scope);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.managementUrl() + "/" + tenant() + "/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("token request failed: " + response.statusCode() + " " + response.body());
        }
        return Json.MAPPER.readTree(response.body()).get("access_token").asText();
    }

    /** A management call as the admin; {@code path} without api-version. */
    HttpResponse<String> mgmt(String method, String path, String body) throws Exception {
        return mgmt(method, path, body, token("https://management.azure.com/.default"));
    }

    HttpResponse<String> mgmt(String method, String path, String body, String token) throws Exception {
        String url = server.managementUrl() + path + (path.contains("?") ? "&" : "?") + "api-version=2024-04-01";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> score(String endpoint, String key, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.scoringUri(endpoint))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Uploads every file under {@code dir} to {@code <blobEndpoint>azureml-blobstore/<prefix><relative path>} as the admin. */
    void upload(String blobEndpoint, Path dir, String prefix) throws Exception {
        String storageToken = token("https://storage.azure.com/.default");
        http.send(HttpRequest.newBuilder(URI.create(blobEndpoint + "azureml-blobstore?restype=container")).header("Authorization", "Bearer " + storageToken)
                .header("x-ms-version", "2023-11-03").PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(blobEndpoint + "azureml-blobstore/" + prefix + dir.relativize(file)))
                        .header("Authorization", "Bearer " + storageToken).header("x-ms-version", "2023-11-03").header("x-ms-blob-type", "BlockBlob")
                        .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
                if (put.statusCode() != 201) {
                    throw new IllegalStateException("upload of " + file + " failed: " + put.statusCode() + " " + put.body());
                }
            }
        }
    }

    /** Polls the operation an ARM answer points at ({@code Azure-AsyncOperation}) until it is no longer InProgress. */
    JsonNode awaitOperation(HttpResponse<String> accepted) throws Exception {
        String url = accepted.headers().firstValue("Azure-AsyncOperation").orElseThrow();
        String managementToken = token("https://management.azure.com/.default");
        JsonNode[] last = new JsonNode[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + managementToken).build(),
                    HttpResponse.BodyHandlers.ofString());
            last[0] = json(status);
            return !last[0].get("status").asText().equals("InProgress");
        });
        return last[0];
    }

    /** {@code value} as JSON text (a string becomes a JSON string literal). */
    String json(Object value) throws IOException {
        return Json.MAPPER.writeValueAsString(value);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    static SSLContext sslContext(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("enclave-ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (Stream<Path> walk = Files.walk(home)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
