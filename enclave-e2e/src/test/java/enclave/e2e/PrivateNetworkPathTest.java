package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.EnclaveException;
import enclave.core.Json;
import enclave.core.ErrorCode;
import enclave.server.fabric.Fabric;
import enclave.serving.gateway.NetworkPath;
import enclave.serving.gateway.PrivateLinkDirectory;
import enclave.serving.gateway.PrivateLinkDirectory.ConnectedEndpoint;
import enclave.serving.gateway.PrivateLinkDirectory.Connection;
import enclave.serving.gateway.PrivateLinkDirectory.Status;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The network path of a request is a fact of the listener: a private endpoint's listener on its private IP (bound through
 * the server's Fabric) reaches an endpoint whose public network access is disabled, the public listener does not, whatever
 * the headers say. Clients reach resources by their platform names (host-style scoring and blob) through a resolver that
 * plays the part of DNS: outside the network the names answer the public address, inside vnet1 the private IPs.
 */
class PrivateNetworkPathTest {
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final String ENDPOINT = "pnet-ep";
    private static final String SCORING_HOST = ENDPOINT + ".local.inference.ml.azure.com";
    private static final String ACCOUNT = "pnetacct";
    private static final String ACCOUNT_HOST = ACCOUNT + ".blob.core.windows.net";
    private static final String WS_PE_IP = "127.77.1.4";
    private static final String ACCOUNT_PE_IP = "127.77.1.5";

    private static final TestDirectory directory = new TestDirectory();
    private static TestServer enclave;
    private static String ws;
    private static String endpoint;
    private static String accountId;
    private static String wsStorageName;
    private static String key;
    private static String request;
    private static int port;
    private static NetworkPath.PrivateEndpoint wsEndpoint;
    private static HttpClient publicClient;
    private static HttpClient vnetClient;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start(directory);
        String sub = enclave.subscription();
        String rg = "/subscriptions/" + sub + "/resourceGroups/pnet-rg";
        enclave.mgmt("PUT", "/subscriptions/" + sub + "/resourcegroups/pnet-rg", "{}");
        ws = rg + "/providers/Microsoft.MachineLearningServices/workspaces/pnet-ws";
        assertThat(enclave.mgmt("PUT", ws, "{}").statusCode()).isEqualTo(201);
        String storage = json(enclave.mgmt("GET", ws, null)).at("/properties/storageAccount").asText();
        wsStorageName = storage.substring(storage.lastIndexOf('/') + 1);
        String blob = json(enclave.mgmt("GET", storage, null)).at("/properties/primaryEndpoints/blob").asText();
        enclave.upload(blob, EXAMPLES.resolve("model-1/model"), "LocalUpload/p1/model/");
        enclave.upload(blob, EXAMPLES.resolve("model-1/onlinescoring"), "LocalUpload/p1/onlinescoring/");
        register("codes/p-code/versions/1", "{\"properties\":{\"codeUri\":\"azureml://datastores/workspaceblobstore/paths/LocalUpload/p1/onlinescoring/\"}}");
        register("models/p-model/versions/1", "{\"properties\":{\"modelUri\":\"azureml://datastores/workspaceblobstore/paths/LocalUpload/p1/model/\"}}");
        register("environments/p-env/versions/1", "{\"properties\":{\"condaFile\":" + enclave.json(Files.readString(EXAMPLES.resolve("model-1/environment/conda.yaml")))
                + ",\"image\":\"mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\"}}");
        endpoint = ws + "/onlineEndpoints/" + ENDPOINT;
        HttpResponse<String> created = enclave.mgmt("PUT", endpoint, "{\"properties\":{\"authMode\":\"Key\",\"publicNetworkAccess\":\"Disabled\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> deployment = enclave.mgmt("PUT", endpoint + "/deployments/blue", "{\"sku\":{\"capacity\":1},\"properties\":{\"model\":\"" + ws
                + "/models/p-model/versions/1\",\"codeConfiguration\":{\"codeId\":\"" + ws + "/codes/p-code/versions/1\",\"scoringScript\":\"score.py\"},"
                + "\"environmentId\":\"" + ws + "/environments/p-env/versions/1\"}}");
        assertThat(deployment.statusCode()).as(deployment.body()).isEqualTo(201);
        assertThat(enclave.awaitOperation(deployment).get("status").asText()).isEqualTo("Succeeded");
        assertThat(enclave.mgmt("PATCH", endpoint, "{\"properties\":{\"traffic\":{\"blue\":100}}}").statusCode()).isEqualTo(200);
        key = json(enclave.mgmt("POST", endpoint + "/listKeys", null)).get("primaryKey").asText();
        request = Files.readString(EXAMPLES.resolve("model-1/sample-request.json"));

        accountId = rg + "/providers/Microsoft.Storage/storageAccounts/" + ACCOUNT;
        HttpResponse<String> account = enclave.mgmt("PUT", accountId, "{\"location\":\"local\",\"properties\":{\"publicNetworkAccess\":\"Disabled\"}}");
        assertThat(account.statusCode()).as(account.body()).isEqualTo(201);
        grantBlobContributor(accountId);

        // The network helper's resources, as the directory would report them: vnet1 (127.77.0.0/16, resolver 127.77.0.2)
        // with a private endpoint to the workspace and one to the storage account, both approved.
        String vnet = rg + "/providers/Microsoft.Network/virtualNetworks/vnet1";
        wsEndpoint = new NetworkPath.PrivateEndpoint(rg + "/providers/Microsoft.Network/privateEndpoints/pe-ws", "pe-ws", vnet, "vnet1", WS_PE_IP);
        NetworkPath.PrivateEndpoint accountEndpoint = new NetworkPath.PrivateEndpoint(rg + "/providers/Microsoft.Network/privateEndpoints/pe-blob", "pe-blob",
                vnet, "vnet1", ACCOUNT_PE_IP);
        directory.connect(wsEndpoint, ws, "amlworkspace", Status.Approved);
        directory.connect(accountEndpoint, accountId, "blob", Status.Approved);
        enclave.server.fabric().bind(wsEndpoint);
        enclave.server.fabric().bind(accountEndpoint);
        port = enclave.server.fabric().gatewayPort();

        publicClient = client(Map.of(SCORING_HOST, "127.0.0.1", ACCOUNT_HOST, "127.0.0.1", wsStorageName + ".blob.core.windows.net", "127.0.0.1"));
        vnetClient = client(Map.of(SCORING_HOST, WS_PE_IP, ACCOUNT_HOST, ACCOUNT_PE_IP));
    }

    @AfterAll
    static void stop() throws Exception {
        for (HttpClient client : new HttpClient[] {publicClient, vnetClient}) {
            if (client != null) {
                client.stop();
            }
        }
        enclave.close();
    }

    @Test
    void aClosedEndpointIsRefusedOnThePublicListenerWithTheWayThrough() throws Exception {
        HttpResponse<String> pathStyle = enclave.score(ENDPOINT, key, request, Map.of());
        assertThat(pathStyle.statusCode()).isEqualTo(403);
        assertThat(json(pathStyle).at("/error/code").asText()).isEqualTo("PublicNetworkAccessDisabled");
        assertThat(json(pathStyle).at("/error/message").asText()).contains("online endpoint '" + ENDPOINT + "' has public network access disabled",
                "came in on the public listener", "resolve " + SCORING_HOST + " through network vnet1's resolver 127.77.0.2, which answers " + WS_PE_IP);

        ContentResponse hostStyle = score(publicClient, "https://" + SCORING_HOST + ":" + port + "/score", key);
        assertThat(hostStyle.getStatus()).isEqualTo(403);
        assertThat(body(hostStyle).at("/error/code").asText()).isEqualTo("PublicNetworkAccessDisabled");
    }

    @Test
    void theEndpointScoresThroughTheWorkspacesPrivateEndpointByNameAndByAddress() throws Exception {
        ContentResponse byName = score(vnetClient, "https://" + SCORING_HOST + ":" + port + "/score", key);
        assertThat(byName.getStatus()).as(byName.getContentAsString()).isEqualTo(200);
        assertThat(body(byName).get(0).asDouble()).isCloseTo(11055.977245525679, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(byName.getHeaders().get("azureml-model-deployment")).isEqualTo("blue");

        // The certificate of the private endpoint's listener carries its IP: path style by address works too.
        HttpResponse<String> byAddress = enclave.http.send(HttpRequest.newBuilder(URI.create("https://" + WS_PE_IP + ":" + port + "/endpoints/" + ENDPOINT + "/score"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(byAddress.statusCode()).as(byAddress.body()).isEqualTo(200);

        // The network lets the request through to authentication, which still applies.
        ContentResponse noKey = score(vnetClient, "https://" + SCORING_HOST + ":" + port + "/score", null);
        assertThat(noKey.getStatus()).isEqualTo(401);
        assertThat(body(noKey).at("/error/code").asText()).isEqualTo("AuthenticationFailed");
    }

    @Test
    void spoofedHeadersOnThePublicListenerChangeNothing() throws Exception {
        String body = request;
        for (String host : List.of(WS_PE_IP + ":" + port, SCORING_HOST + ":" + port)) {
            String path = host.startsWith(SCORING_HOST) ? "/score" : "/endpoints/" + ENDPOINT + "/score";
            RawResponse answer = raw("127.0.0.1", SCORING_HOST, "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Forwarded-For: " + WS_PE_IP
                    + "\r\nX-Forwarded-Host: " + SCORING_HOST + "\r\nX-Real-IP: " + WS_PE_IP + "\r\nForwarded: for=" + WS_PE_IP + ";host=" + SCORING_HOST
                    + ";proto=https\r\nAuthorization: Bearer " + key + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body);
            assertThat(answer.status()).as(answer.body()).isEqualTo(403);
            assertThat(answer.body()).contains("\"PublicNetworkAccessDisabled\"", "came in on the public listener");
        }
    }

    @Test
    void anUnapprovedConnectionIsRefusedNamingItsStateAndTheApproveCommand() throws Exception {
        directory.setStatus(wsEndpoint, Status.Pending);
        try {
            ContentResponse pending = score(vnetClient, "https://" + SCORING_HOST + ":" + port + "/score", key);
            assertThat(pending.getStatus()).isEqualTo(403);
            assertThat(body(pending).at("/error/code").asText()).isEqualTo("PrivateEndpointConnectionNotApproved");
            assertThat(body(pending).at("/error/message").asText()).contains("came in on private endpoint pe-ws of network vnet1 (" + WS_PE_IP + ")",
                    "is Pending", "enclave network private-endpoint-connection approve --id " + ws + "/privateEndpointConnections/pe-ws");
        } finally {
            directory.setStatus(wsEndpoint, Status.Approved);
        }
        assertThat(score(vnetClient, "https://" + SCORING_HOST + ":" + port + "/score", key).getStatus()).isEqualTo(200);
    }

    @Test
    void blobsOfAClosedAccountGoThroughItsPrivateEndpointInVirtualHostStyle() throws Exception {
        String token = enclave.token("https://storage.azure.com/.default");
        String base = "https://" + ACCOUNT_HOST + ":" + port;
        ContentResponse container = blob(vnetClient, "PUT", base + "/data?restype=container", token, null);
        assertThat(container.getStatus()).as(container.getContentAsString()).isEqualTo(201);
        ContentResponse put = blob(vnetClient, "PUT", base + "/data/dir/hello%20there.txt", token, "hello through a private endpoint");
        assertThat(put.getStatus()).as(put.getContentAsString()).isEqualTo(201);
        ContentResponse get = blob(vnetClient, "GET", base + "/data/dir/hello%20there.txt", token, null);
        assertThat(get.getStatus()).isEqualTo(200);
        assertThat(get.getContentAsString()).isEqualTo("hello through a private endpoint");
        ContentResponse list = blob(vnetClient, "GET", base + "/data?restype=container&comp=list", token, null);
        assertThat(list.getContentAsString()).contains("<Name>dir/hello there.txt</Name>", "ServiceEndpoint=\"https://" + ACCOUNT_HOST + ":" + port + "/\"");
        // Network before credentials: through the private endpoint a missing token is the blob service's 401.
        assertThat(blob(vnetClient, "GET", base + "/data/dir/hello%20there.txt", null, null).getStatus()).isEqualTo(401);

        ContentResponse outside = blob(publicClient, "GET", base + "/data/dir/hello%20there.txt", token, null);
        assertThat(outside.getStatus()).isEqualTo(403);
        assertThat(outside.getHeaders().get("x-ms-error-code")).isEqualTo("PublicNetworkAccessDisabled");
        assertThat(outside.getContentAsString()).contains("<Code>PublicNetworkAccessDisabled</Code>", "storage account '" + ACCOUNT + "'",
                "resolve " + ACCOUNT_HOST + " through network vnet1's resolver 127.77.0.2, which answers " + ACCOUNT_PE_IP);
        // ... and on the public listener the network refuses before the credential is looked at.
        assertThat(blob(publicClient, "GET", base + "/data/dir/hello%20there.txt", null, null).getStatus()).isEqualTo(403);
        // Path style on the public address is the same account, refused the same way.
        HttpResponse<String> pathStyle = enclave.http.send(HttpRequest.newBuilder(URI.create(enclave.server.gatewayUrl() + "/" + ACCOUNT + "/data/dir/x"))
                .header("Authorization", "Bearer " + token).header("x-ms-version", "2023-11-03").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pathStyle.statusCode()).isEqualTo(403);
        assertThat(pathStyle.body()).contains("<Code>PublicNetworkAccessDisabled</Code>");

        // The workspace's private endpoint does not reach the storage account.
        HttpClient wrongEndpoint = client(Map.of(ACCOUNT_HOST, WS_PE_IP));
        try {
            ContentResponse mismatch = blob(wrongEndpoint, "GET", base + "/data/dir/hello%20there.txt", token, null);
            assertThat(mismatch.getStatus()).isEqualTo(403);
            assertThat(mismatch.getContentAsString()).contains("<Code>PrivateEndpointTargetMismatch</Code>", "which connects to " + ws);
        } finally {
            wrongEndpoint.stop();
        }
    }

    @Test
    void virtualHostStyleBlobReadsAPublicAccount() throws Exception {
        String token = enclave.token("https://storage.azure.com/.default");
        ContentResponse get = blob(publicClient, "GET", "https://" + wsStorageName + ".blob.core.windows.net:" + port
                + "/azureml-blobstore/LocalUpload/p1/onlinescoring/score.py", token, null);
        assertThat(get.getStatus()).isEqualTo(200);
        assertThat(get.getContentAsString()).isEqualTo(Files.readString(EXAMPLES.resolve("model-1/onlinescoring/score.py")));
    }

    @Test
    void listenersComeAndGoAtRuntimeAndBindFailuresAreClear() throws Exception {
        Fabric fabric = enclave.server.fabric();
        String rg = "/subscriptions/" + enclave.subscription() + "/resourceGroups/pnet-rg/providers/Microsoft.Network/";
        NetworkPath.PrivateEndpoint clash = new NetworkPath.PrivateEndpoint(rg + "privateEndpoints/pe-clash", "pe-clash", rg + "virtualNetworks/vnet1", "vnet1",
                WS_PE_IP);
        Throwable taken = catchThrowable(() -> fabric.bind(clash));
        assertThat(taken).isInstanceOf(EnclaveException.class).hasMessageContaining("cannot listen on " + WS_PE_IP + ":" + port + " for private endpoint pe-clash");
        assertThat(((EnclaveException) taken).code()).isEqualTo(ErrorCode.ListenerUnavailable);
        Throwable outside = catchThrowable(() -> fabric.bind(new NetworkPath.PrivateEndpoint(rg + "privateEndpoints/pe-out", "pe-out", "v", "vnet9", "10.0.0.4")));
        assertThat(outside).isInstanceOf(EnclaveException.class).hasMessageContaining("inside 127.0.0.0/8");

        // A private endpoint without a connection has a listener that carries nothing.
        NetworkPath.PrivateEndpoint loose = new NetworkPath.PrivateEndpoint(rg + "privateEndpoints/pe-loose", "pe-loose", rg + "virtualNetworks/vnet1", "vnet1",
                "127.77.1.9");
        fabric.bind(loose);
        fabric.bind(loose);
        URI viaLoose = URI.create("https://127.77.1.9:" + port + "/endpoints/" + ENDPOINT + "/score");
        HttpResponse<String> refused = enclave.http.send(HttpRequest.newBuilder(viaLoose).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("PrivateEndpointConnectionNotApproved");
        assertThat(fabric.boundPrivateEndpoints()).contains(loose, wsEndpoint);

        assertThat(fabric.unbind(loose.privateEndpointId())).isTrue();
        assertThat(fabric.unbind(loose.privateEndpointId())).isFalse();
        assertThat(fabric.boundPrivateEndpoints()).doesNotContain(loose);
        java.net.http.HttpClient fresh = java.net.http.HttpClient.newBuilder().sslContext(TestServer.sslContext(enclave.server.caFile())).build();
        Throwable gone = catchThrowable(() -> fresh.send(HttpRequest.newBuilder(viaLoose).POST(HttpRequest.BodyPublishers.ofString(request)).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertThat(gone).isInstanceOf(ConnectException.class);
    }

    @Test
    void unixSocketsStandForTheirNetworkPath() throws Exception {
        Fabric fabric = enclave.server.fabric();
        Path gatewaySocket = enclave.home.resolve("sockets/gw.sock");
        Path managementSocket = enclave.home.resolve("sockets/mgmt.sock");
        fabric.openUnix(gatewaySocket, Fabric.Plane.GATEWAY, wsEndpoint, true);
        fabric.openUnix(managementSocket, Fabric.Plane.MANAGEMENT, NetworkPath.Public.INSTANCE, false);
        // Over a Unix socket Jetty's client has no peer host name to check; the chain is still checked against ca-truststore.p12,
        // and the names on the certificate are checked over TCP in the other tests.
        HttpClient sandboxSide = client(Map.of(), false);
        try {
            // TLS ends at the socket, and the socket stands for the workspace's private endpoint: the closed endpoint scores.
            Request scoring = score(sandboxSide.newRequest("https://" + SCORING_HOST + "/score"), key).transport(new Transport.TCPUnix(gatewaySocket));
            ContentResponse scored = scoring.send();
            assertThat(scored.getStatus()).as(scored.getContentAsString()).isEqualTo(200);
            ContentResponse info = sandboxSide.newRequest("http://localhost/enclave/info").transport(new Transport.TCPUnix(managementSocket))
                    .timeout(30, TimeUnit.SECONDS).send();
            assertThat(info.getStatus()).isEqualTo(200);
            assertThat(body(info).get("tenantId").asText()).isEqualTo(enclave.tenant());
        } finally {
            sandboxSide.stop();
            assertThat(fabric.closeUnix(gatewaySocket)).isTrue();
            assertThat(fabric.closeUnix(managementSocket)).isTrue();
        }
        assertThat(gatewaySocket).doesNotExist();
        assertThat(fabric.closeUnix(gatewaySocket)).isFalse();
    }

    // ---- helpers

    /** A Jetty client that trusts the platform CA through ca-truststore.p12 and resolves platform names as {@code dns} says. */
    private static HttpClient client(Map<String, String> dns) throws Exception {
        return client(dns, true);
    }

    private static HttpClient client(Map<String, String> dns, boolean checkHostName) throws Exception {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        if (!checkHostName) {
            tls.setEndpointIdentificationAlgorithm(null);
        }
        tls.setTrustStorePath(enclave.server.caTrustStoreFile().toString());
        tls.setTrustStorePassword("changeit");
        tls.setTrustStoreType("PKCS12");
        HttpClient client = new HttpClient();
        client.setSslContextFactory(tls);
        client.setSocketAddressResolver((host, hostPort, context, promise) -> {
            String address = dns.get(host.toLowerCase(Locale.ROOT));
            if (address == null && host.startsWith("127.")) {
                address = host;
            }
            if (address == null) {
                promise.failed(new java.net.UnknownHostException(host + " (not in this test's DNS view)"));
            } else {
                promise.succeeded(List.of(new InetSocketAddress(address, hostPort)));
            }
        });
        client.start();
        // Our 401s carry the error body, not a WWW-Authenticate challenge: let the test see them instead of a protocol error.
        client.getProtocolHandlers().remove(org.eclipse.jetty.client.WWWAuthenticationProtocolHandler.NAME);
        return client;
    }

    private static ContentResponse score(HttpClient client, String url, String key) throws Exception {
        return score(client.newRequest(url), key).send();
    }

    private static Request score(Request request, String key) {
        request.method("POST").timeout(30, TimeUnit.SECONDS).body(new StringRequestContent("application/json", PrivateNetworkPathTest.request));
        if (key != null) {
            request.headers(h -> h.put("Authorization", "Bearer " + key));
        }
        return request;
    }

    private static ContentResponse blob(HttpClient client, String method, String url, String token, String body) throws Exception {
        Request request = client.newRequest(url).method(method).timeout(30, TimeUnit.SECONDS).headers(h -> {
            h.put("x-ms-version", "2023-11-03");
            if (token != null) {
                h.put("Authorization", "Bearer " + token);
            }
            if (body != null) {
                h.put("x-ms-blob-type", "BlockBlob");
            }
        });
        if (body != null) {
            request.body(new StringRequestContent("text/plain", body));
        }
        return request.send();
    }

    private record RawResponse(int status, String body) {}

    /** Exactly these bytes over TLS to {@code address}:gateway port (the certificate checked against {@code tlsName}). */
    private static RawResponse raw(String address, String tlsName, String requestText) throws Exception {
        try (SSLSocket socket = (SSLSocket) TestServer.sslContext(enclave.server.caFile()).getSocketFactory().createSocket(address, port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(List.of(new SNIHostName(tlsName)));
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(requestText.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyStart = text.indexOf("\r\n\r\n");
            return new RawResponse(status, bodyStart < 0 ? "" : text.substring(bodyStart + 4));
        }
    }

    private static JsonNode body(ContentResponse response) throws Exception {
        return Json.MAPPER.readTree(response.getContentAsString());
    }

    private static void register(String path, String body) throws Exception {
        HttpResponse<String> response = enclave.mgmt("PUT", ws + "/" + path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static void grantBlobContributor(String scope) throws Exception {
        JsonNode roles = json(enclave.mgmt("GET", "/subscriptions/" + enclave.subscription() + "/providers/Microsoft.Authorization/roleDefinitions?$filter="
                + java.net.URLEncoder.encode("roleName eq 'Storage Blob Data Contributor'", StandardCharsets.UTF_8), null));
        HttpResponse<String> assigned = enclave.mgmt("PUT", scope + "/providers/Microsoft.Authorization/roleAssignments/" + UUID.randomUUID(),
                "{\"properties\":{\"roleDefinitionId\":\"" + roles.get("value").get(0).get("id").asText() + "\",\"principalId\":\""
                        + enclave.admin.get("objectId").asText() + "\"}}");
        assertThat(assigned.statusCode()).as(assigned.body()).isEqualTo(201);
    }

    /** The private link facts the network module will provide, held in memory and changed by the test. */
    private static final class TestDirectory implements PrivateLinkDirectory {
        private final Map<String, Connection> connections = new ConcurrentHashMap<>();
        private final Map<String, NetworkPath.PrivateEndpoint> endpoints = new ConcurrentHashMap<>();

        void connect(NetworkPath.PrivateEndpoint endpoint, String target, String groupId, Status status) {
            String connectionId = target + "/privateEndpointConnections/" + endpoint.privateEndpointName();
            connections.put(endpoint.privateEndpointId().toLowerCase(Locale.ROOT), new Connection(endpoint.privateEndpointId(), connectionId, target, groupId, status));
            endpoints.put(endpoint.privateEndpointId().toLowerCase(Locale.ROOT), endpoint);
        }

        void setStatus(NetworkPath.PrivateEndpoint endpoint, Status status) {
            connections.computeIfPresent(endpoint.privateEndpointId().toLowerCase(Locale.ROOT),
                    (id, c) -> new Connection(c.privateEndpointId(), c.connectionId(), c.targetId(), c.groupId(), status));
        }

        @Override
        public Optional<Connection> connectionOf(String privateEndpointId) {
            return Optional.ofNullable(connections.get(privateEndpointId.toLowerCase(Locale.ROOT)));
        }

        @Override
        public List<ConnectedEndpoint> endpointsOf(String targetId) {
            List<ConnectedEndpoint> connected = new ArrayList<>();
            connections.forEach((id, c) -> {
                if (c.targetId().equalsIgnoreCase(targetId)) {
                    NetworkPath.PrivateEndpoint e = endpoints.get(id);
                    connected.add(new ConnectedEndpoint(e.privateEndpointId(), e.privateEndpointName(), e.virtualNetworkName(), "127.77.0.2", e.address(),
                            c.connectionId(), c.status()));
                }
            });
            return connected;
        }
    }
}
