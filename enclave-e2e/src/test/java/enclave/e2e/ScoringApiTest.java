package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The data plane driven over plain REST, as an SDK would: upload assets to the workspace's blob storage, register them,
 * create a deployment (long-running), and score through the gateway with the endpoint's keys.
 */
class ScoringApiTest {
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final Path LIFECYCLE = Path.of("src", "test", "resources", "lifecycle").toAbsolutePath();
    private static TestServer enclave;
    private static String ws;
    private static String endpoint;
    private static String blob;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        String sub = enclave.subscription();
        enclave.mgmt("PUT", "/subscriptions/" + sub + "/resourcegroups/api-rg", "{}");
        ws = "/subscriptions/" + sub + "/resourceGroups/api-rg/providers/Microsoft.MachineLearningServices/workspaces/api-ws";
        assertThat(enclave.mgmt("PUT", ws, "{}").statusCode()).isEqualTo(201);
        String storage = json(enclave.mgmt("GET", ws, null)).at("/properties/storageAccount").asText();
        blob = json(enclave.mgmt("GET", storage, null)).at("/properties/primaryEndpoints/blob").asText();
        endpoint = ws + "/onlineEndpoints/api-ep";
        assertThat(enclave.mgmt("PUT", endpoint, "{\"properties\":{\"authMode\":\"Key\"}}").statusCode()).isEqualTo(201);
        enclave.upload(blob, EXAMPLES.resolve("model-1/model"), "LocalUpload/h1/model/");
        enclave.upload(blob, EXAMPLES.resolve("model-1/onlinescoring"), "LocalUpload/h1/onlinescoring/");
        register("codes/api-code/versions/1", "{\"properties\":{\"codeUri\":\"azureml://datastores/workspaceblobstore/paths/LocalUpload/h1/onlinescoring/\"}}");
        register("models/api-model/versions/1", "{\"properties\":{\"modelUri\":\"azureml://datastores/workspaceblobstore/paths/LocalUpload/h1/model/\"}}");
        enclave.upload(blob, LIFECYCLE.resolve("code"), "LocalUpload/h2/code/");
        register("codes/slow-code/versions/1", "{\"properties\":{\"codeUri\":\"azureml://datastores/workspaceblobstore/paths/LocalUpload/h2/code/\"}}");
        register("environments/api-env/versions/1", "{\"properties\":{\"condaFile\":" + enclave.json(Files.readString(EXAMPLES.resolve("model-1/environment/conda.yaml")))
                + ",\"image\":\"mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\"}}");
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    private static void register(String path, String body) throws Exception {
        HttpResponse<String> response = enclave.mgmt("PUT", ws + "/" + path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static String deployment(String name, String extraProperties) {
        return "{\"sku\":{\"capacity\":1},\"properties\":{\"model\":\"" + ws + "/models/api-model/versions/1\",\"codeConfiguration\":{\"codeId\":\"" + ws
                + "/codes/api-code/versions/1\",\"scoringScript\":\"score.py\"},\"environmentId\":\"" + ws + "/environments/api-env/versions/1\"" + extraProperties
                + "}}";
    }

    @Test
    void aDeployedScoreScriptAnswersThroughTheGatewayWithAKey() throws Exception {
        HttpResponse<String> created = enclave.mgmt("PUT", endpoint + "/deployments/blue", deployment("blue", ""));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).at("/properties/provisioningState").asText()).isEqualTo("Creating");
        JsonNode operation = enclave.awaitOperation(created);
        assertThat(operation.get("status").asText()).as(operation.toString()).isEqualTo("Succeeded");
        assertThat(json(enclave.mgmt("GET", endpoint + "/deployments/blue", null)).at("/properties/provisioningState").asText()).isEqualTo("Succeeded");

        String key = json(enclave.mgmt("POST", endpoint + "/listKeys", null)).get("primaryKey").asText();
        String request = Files.readString(EXAMPLES.resolve("model-1/sample-request.json"));
        HttpResponse<String> pinned = enclave.score("api-ep", key, request, Map.of("azureml-model-deployment", "blue"));
        assertThat(pinned.statusCode()).as(pinned.body()).isEqualTo(200);
        assertThat(json(pinned).get(0).asDouble()).isCloseTo(11055.977245525679, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(pinned.headers().firstValue("x-request-id")).isPresent();
        assertThat(pinned.headers().firstValue("azureml-model-deployment")).hasValue("blue");

        // no traffic yet and no header: nothing to route to
        assertThat(enclave.score("api-ep", key, request, Map.of()).statusCode()).isEqualTo(404);
        assertThat(enclave.mgmt("PATCH", endpoint, "{\"properties\":{\"traffic\":{\"blue\":100}}}").statusCode()).isEqualTo(200);
        assertThat(enclave.score("api-ep", key, request, Map.of()).statusCode()).isEqualTo(200);
        assertThat(pipelined(key, request, "first", "second", "third")).containsExactly("200 first", "200 second", "200 third");

        HttpResponse<String> noKey = enclave.score("api-ep", null, request, Map.of());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(noKey).at("/error/code").asText()).isEqualTo("AuthenticationFailed");
        assertThat(enclave.score("api-ep", "wrong-key", request, Map.of()).statusCode()).isEqualTo(401);

        HttpResponse<String> logs = enclave.mgmt("POST", endpoint + "/deployments/blue/getLogs", "{\"containerType\":\"InferenceServer\",\"tail\":50}");
        assertThat(json(logs).get("content").asText()).contains("model loaded from");
    }

    @Test
    void aStatusPollCanBeHeldUntilTheOperationChanges() throws Exception {
        String body = "{\"sku\":{\"capacity\":1},\"properties\":{\"model\":\"" + ws + "/models/api-model/versions/1\",\"codeConfiguration\":{\"codeId\":\""
                + ws + "/codes/slow-code/versions/1\",\"scoringScript\":\"score.py\"},\"environmentId\":\"" + ws
                + "/environments/api-env/versions/1\",\"environmentVariables\":{\"INIT_DELAY_SECONDS\":\"3\"}}}";
        HttpResponse<String> created = enclave.mgmt("PUT", endpoint + "/deployments/held", body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        URI status = URI.create(created.headers().firstValue("Azure-AsyncOperation").orElseThrow());
        String token = enclave.token("https://management.azure.com/.default");

        // init() sleeps for 3 s while the deployment is being probed: the operation stays in that state meanwhile.
        AtomicReference<HttpResponse<String>> probing = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            probing.set(poll(status, token, Map.of()));
            return json(probing.get()).at("/properties/stage").asText().equals("probing");
        });
        String seen = probing.get().headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> unchanged = poll(status, token, Map.of("If-None-Match", seen));
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.headers().firstValue("ETag")).hasValue(seen);
        assertThat(unchanged.body()).isEmpty();

        HttpResponse<String> held = poll(status, token, Map.of("If-None-Match", seen, "Prefer", "wait=30"));
        assertThat(held.statusCode()).as(held.body()).isEqualTo(200);
        assertThat(held.headers().firstValue("Preference-Applied")).hasValue("wait=10");
        assertThat(json(held).get("status").asText()).isEqualTo("Succeeded");
        assertThat(held.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(seen);
    }

    private static HttpResponse<String> poll(URI status, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token);
        headers.forEach(request::header);
        return enclave.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Writes one request per id on a single TLS connection before reading anything (HTTP/1.1 pipelining), then reads the
     * answers: "status id" for each, the id being the x-ms-client-request-id the answer carries back.
     */
    private static List<String> pipelined(String key, String body, String... ids) throws Exception {
        URI gateway = URI.create(enclave.server.gatewayUrl());
        SSLSocketFactory tls = TestServer.sslContext(enclave.server.caFile()).getSocketFactory();
        try (SSLSocket socket = (SSLSocket) tls.createSocket(gateway.getHost(), gateway.getPort())) {
            socket.setSoTimeout(30_000);
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder requests = new StringBuilder();
            for (String id : ids) {
                requests.append("POST /endpoints/api-ep/score HTTP/1.1\r\nHost: ").append(gateway.getHost())
                        .append("\r\nAuthorization: Bearer ").append(key).append("\r\nx-ms-client-request-id: ").append(id)
                        .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n\r\n").append(body);
            }
            socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                String status = line(in).split(" ")[1];
                String id = "";
                int length = 0;
                for (String header = line(in); !header.isEmpty(); header = line(in)) {
                    String name = header.substring(0, header.indexOf(':')).trim();
                    String value = header.substring(header.indexOf(':') + 1).trim();
                    if (name.equalsIgnoreCase("Content-Length")) {
                        length = Integer.parseInt(value);
                    } else if (name.equalsIgnoreCase("x-ms-client-request-id")) {
                        id = value;
                    }
                }
                in.readNBytes(length);
                answers.add(status + " " + id);
            }
            return answers;
        }
    }

    private static String line(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IllegalStateException("the connection ended in the middle of an answer: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
