package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ARM-shaped control plane over real HTTPS: authentication, validation, and what is (not) left behind. */
class ControlPlaneApiTest {
    private static TestServer enclave;
    private static String sub;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        sub = enclave.subscription();
        assertThat(enclave.mgmt("PUT", "/subscriptions/" + sub + "/resourcegroups/cp-rg", "{\"location\":\"local\"}").statusCode()).isEqualTo(201);
        assertThat(enclave.mgmt("PUT", workspace("cp-ws"), "{\"location\":\"local\"}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    private static String workspace(String name) {
        return "/subscriptions/" + sub + "/resourceGroups/cp-rg/providers/Microsoft.MachineLearningServices/workspaces/" + name;
    }

    @Test
    void requestsWithoutATokenAreRefusedWith401AndAJsonError() throws Exception {
        HttpResponse<String> response = enclave.mgmt("GET", workspace("cp-ws"), null, null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).at("/error/code").asText()).isEqualTo("AuthenticationFailed");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void refusalsKeepTheConnectionUsableForTheNextRequest() throws Exception {
        // A refusal answers before reading the body; unless the body is drained the server drops the kept-alive
        // connection and the client's next request on it fails with a reset instead of an answer.
        String body = "{\"properties\":{\"description\":\"" + "x".repeat(20_000) + "\"}}";
        for (int i = 0; i < 40; i++) {
            assertThat(enclave.mgmt("PUT", workspace("cp-ws") + "/onlineEndpoints/refused-" + i, body, null).statusCode()).isEqualTo(401);
            assertThat(enclave.score("no-such-endpoint", "k", body, java.util.Map.of()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        HttpResponse<String> response = enclave.mgmt("GET", workspace("cp-ws"), null, enclave.token("https://storage.azure.com/.default"));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).at("/error/code").asText()).isEqualTo("InvalidAuthenticationToken");
    }

    @Test
    void aTamperedTokenIsRefused() throws Exception {
        String token = enclave.token("https://management.azure.com/.default");
        String[] parts = token.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("enclave-admin", "enclave-admim");
        String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
        assertThat(enclave.mgmt("GET", workspace("cp-ws"), null, tampered).statusCode()).isEqualTo(401);
    }

    @Test
    void wrongClientSecretGetsNoToken() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> enclave.token(enclave.admin.get("clientId").asText(), "wrong", "https://management.azure.com/.default"))
                .hasMessageContaining("401");
    }

    @Test
    void apiVersionIsRequiredOnArmPaths() throws Exception {
        HttpResponse<String> response = enclave.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(enclave.server.managementUrl() + workspace("cp-ws")))
                .header("Authorization", "Bearer " + enclave.token("https://management.azure.com/.default")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/code").asText()).isEqualTo("MissingApiVersionParameter");
    }

    @Test
    void workspacesGetTheirOwnDefaultStorage() throws Exception {
        JsonNode ws = json(enclave.mgmt("GET", workspace("cp-ws"), null));
        String storage = ws.at("/properties/storageAccount").asText();
        assertThat(storage).contains("/providers/Microsoft.Storage/storageAccounts/st");
        JsonNode account = json(enclave.mgmt("GET", storage, null));
        assertThat(account.at("/properties/primaryEndpoints/blob").asText()).startsWith(enclave.server.gatewayUrl() + "/st");
    }

    @Test
    void aWorkspaceInAMissingGroupIsRefused() throws Exception {
        HttpResponse<String> response = enclave.mgmt("PUT", "/subscriptions/" + sub + "/resourceGroups/nope/providers/Microsoft.MachineLearningServices/workspaces/ws1",
                "{}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).at("/error/code").asText()).isEqualTo("ResourceGroupNotFound");
    }

    @Test
    void invalidEndpointNamesAreRefusedAndNothingIsStored() throws Exception {
        for (String name : new String[] {"1abc", "ab", "a_b_c", "x".repeat(33), "ends-"}) {
            HttpResponse<String> response = enclave.mgmt("PUT", workspace("cp-ws") + "/onlineEndpoints/" + name, "{\"properties\":{\"authMode\":\"Key\"}}");
            assertThat(response.statusCode()).as(name).isEqualTo(400);
            assertThat(json(response).at("/error/code").asText()).isEqualTo("InvalidResourceName");
            assertThat(enclave.mgmt("GET", workspace("cp-ws") + "/onlineEndpoints/" + name, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void endpointNamesAreUniqueAcrossWorkspaces() throws Exception {
        assertThat(enclave.mgmt("PUT", workspace("cp-ws2"), "{}").statusCode()).isEqualTo(201);
        assertThat(enclave.mgmt("PUT", workspace("cp-ws") + "/onlineEndpoints/unique-ep", "{\"properties\":{\"authMode\":\"Key\"}}").statusCode()).isEqualTo(201);
        HttpResponse<String> second = enclave.mgmt("PUT", workspace("cp-ws2") + "/onlineEndpoints/unique-ep", "{\"properties\":{\"authMode\":\"Key\"}}");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(json(second).at("/error/code").asText()).isEqualTo("EndpointNameTaken");
    }

    @Test
    void trafficMustNameExistingDeploymentsAndSumTo100() throws Exception {
        String endpoint = workspace("cp-ws") + "/onlineEndpoints/traffic-ep";
        assertThat(enclave.mgmt("PUT", endpoint, "{\"properties\":{\"authMode\":\"Key\"}}").statusCode()).isEqualTo(201);
        HttpResponse<String> missing = enclave.mgmt("PATCH", endpoint, "{\"properties\":{\"traffic\":{\"blue\":100}}}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).at("/error/code").asText()).isEqualTo("InvalidTraffic");
        assertThat(json(missing).at("/error/message").asText()).contains("blue");
        assertThat(json(enclave.mgmt("GET", endpoint, null)).at("/properties/traffic").size()).isZero();
    }

    @Test
    void keysRegenerateOneAtATime() throws Exception {
        String endpoint = workspace("cp-ws") + "/onlineEndpoints/keys-ep";
        assertThat(enclave.mgmt("PUT", endpoint, "{\"properties\":{\"authMode\":\"Key\"}}").statusCode()).isEqualTo(201);
        JsonNode before = json(enclave.mgmt("POST", endpoint + "/listKeys", null));
        assertThat(enclave.mgmt("POST", endpoint + "/regenerateKeys", "{\"keyType\":\"Primary\"}").statusCode()).isEqualTo(202);
        JsonNode after = json(enclave.mgmt("POST", endpoint + "/listKeys", null));
        assertThat(after.get("primaryKey").asText()).isNotEqualTo(before.get("primaryKey").asText());
        assertThat(after.get("secondaryKey").asText()).isEqualTo(before.get("secondaryKey").asText());
    }

    @Test
    void aNonEmptyResourceGroupCannotBeDeleted() throws Exception {
        HttpResponse<String> response = enclave.mgmt("DELETE", "/subscriptions/" + sub + "/resourcegroups/cp-rg", null);
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).at("/error/code").asText()).isEqualTo("ResourceGroupNotEmpty");
    }

    @Test
    void unknownPathsAndMethodsGetArmErrors() throws Exception {
        assertThat(enclave.mgmt("GET", "/subscriptions/" + sub + "/nothing/here", null).statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = enclave.mgmt("POST", workspace("cp-ws"), "{}");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(json(wrongMethod).at("/error/code").asText()).isEqualTo("MethodNotAllowed");
    }

    @Test
    void malformedJsonIsA400() throws Exception {
        HttpResponse<String> response = enclave.mgmt("PUT", workspace("cp-ws") + "/onlineEndpoints/bad-json", "{not json");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/code").asText()).isEqualTo("InvalidRequestContent");
    }
}
