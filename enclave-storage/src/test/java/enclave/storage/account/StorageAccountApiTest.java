package enclave.storage.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Route;
import enclave.core.http.RoutesOverHttp;
import enclave.storage.blob.BlobStore;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ARM routes over real HTTP, behind a minimal stand-in for the server's router. */
class StorageAccountApiTest {
    private static final String GROUP = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts";

    @TempDir
    static Path temp;

    private static Database database;
    private static RoutesOverHttp server;

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(temp.resolve("db"));
        StorageAccounts accounts = new StorageAccounts(new JdbcResourceStore(database.dataSource()), new BlobStore(temp.resolve("blobs")),
                "https://127.0.0.1:47444/");
        Set<String> groups = Set.of(ResourceId.resourceGroup("sub1", "rg1").key(), ResourceId.resourceGroup("sub1", "rg2").key());
        List<Route> routes = new StorageAccountApi(accounts, group -> groups.contains(group.key())).routes();
        server = RoutesOverHttp.start(routes);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        database.close();
    }

    @Test
    void routesDeclareTheirActions() {
        List<Route> routes = new StorageAccountApi(null, group -> true).routes();

        assertThat(routes).extracting(route -> route.method() + " " + route.action()).containsExactlyInAnyOrder(
                "PUT Microsoft.Storage/storageAccounts/write",
                "GET Microsoft.Storage/storageAccounts/read",
                "DELETE Microsoft.Storage/storageAccounts/delete",
                "GET Microsoft.Storage/storageAccounts/read");
    }

    @Test
    void putCreatesThenUpdatesAndGetAnswersTheArmShape() throws Exception {
        HttpResponse<String> created = send("PUT", GROUP + "/acctapi1",
                "{\"location\":\"local\",\"tags\":{\"env\":\"dev\"},\"kind\":\"StorageV2\",\"sku\":{\"name\":\"Standard_GRS\"},"
                        + "\"properties\":{\"publicNetworkAccess\":\"Disabled\"}}");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = Json.MAPPER.readTree(created.body());
        assertThat(body.path("id").asText()).isEqualTo(GROUP + "/acctapi1");
        assertThat(body.path("name").asText()).isEqualTo("acctapi1");
        assertThat(body.path("type").asText()).isEqualTo("Microsoft.Storage/storageAccounts");
        assertThat(body.path("location").asText()).isEqualTo("local");
        assertThat(body.path("tags").path("env").asText()).isEqualTo("dev");
        assertThat(body.path("kind").asText()).isEqualTo("StorageV2");
        assertThat(body.path("sku").path("name").asText()).isEqualTo("Standard_LRS");
        assertThat(body.path("sku").path("tier").asText()).isEqualTo("Standard");
        JsonNode properties = body.path("properties");
        assertThat(properties.path("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(properties.path("publicNetworkAccess").asText()).isEqualTo("Disabled");
        assertThat(properties.path("primaryEndpoints").path("blob").asText()).isEqualTo("https://127.0.0.1:47444/acctapi1/");
        assertThat(properties.path("allowBlobPublicAccess").asBoolean(true)).isFalse();
        assertThat(properties.path("minimumTlsVersion").asText()).isEqualTo("TLS1_2");
        assertThat(properties.path("creationTime").asText()).isNotBlank();

        HttpResponse<String> updated = send("PUT", GROUP + "/acctapi1", "{\"tags\":{}}");
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(updated.body()).path("properties").path("publicNetworkAccess").asText()).isEqualTo("Disabled");

        HttpResponse<String> got = send("GET", GROUP + "/acctapi1", null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(got.body()).path("properties").path("creationTime")).isEqualTo(properties.path("creationTime"));
    }

    @Test
    void anEmptyPutBodyTakesDefaults() throws Exception {
        HttpResponse<String> created = send("PUT", GROUP + "/acctapi2", "");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = Json.MAPPER.readTree(created.body());
        assertThat(body.path("location").asText()).isEqualTo("local");
        assertThat(body.path("properties").path("publicNetworkAccess").asText()).isEqualTo("Enabled");
    }

    @Test
    void listAndDelete() throws Exception {
        send("PUT", GROUP + "/acctapi3", "{}");
        send("PUT", GROUP + "/acctapi4", "{}");

        JsonNode list = Json.MAPPER.readTree(send("GET", GROUP, null).body());
        assertThat(list.path("value").findValuesAsText("name")).contains("acctapi3", "acctapi4");

        assertThat(send("DELETE", GROUP + "/acctapi3", null).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", GROUP + "/acctapi3", null).statusCode()).isEqualTo(204);
        HttpResponse<String> missing = send("GET", GROUP + "/acctapi3", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(errorCode(missing)).isEqualTo("ResourceNotFound");
        assertThat(Json.MAPPER.readTree(missing.body()).path("error").path("message").asText()).contains("acctapi3");
    }

    @Test
    void errorsUseArmCodes() throws Exception {
        HttpResponse<String> noGroup = send("PUT", "/subscriptions/sub1/resourceGroups/nogroup/providers/Microsoft.Storage/storageAccounts/acctapi5", "{}");
        assertThat(noGroup.statusCode()).isEqualTo(404);
        assertThat(errorCode(noGroup)).isEqualTo("ResourceGroupNotFound");
        assertThat(errorCode(send("GET", "/subscriptions/sub1/resourceGroups/nogroup/providers/Microsoft.Storage/storageAccounts", null)))
                .isEqualTo("ResourceGroupNotFound");

        HttpResponse<String> badName = send("PUT", GROUP + "/Bad-Name", "{}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(errorCode(badName)).isEqualTo("InvalidResourceName");

        send("PUT", GROUP + "/acctapi6", "{}");
        HttpResponse<String> taken = send("PUT", "/subscriptions/sub1/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/acctapi6", "{}");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(errorCode(taken)).isEqualTo("Conflict");
        assertThat(Json.MAPPER.readTree(taken.body()).path("error").path("message").asText()).contains("storage account name 'acctapi6' is already taken");
        HttpResponse<String> badAccess = send("PUT", GROUP + "/acctapi7", "{\"properties\":{\"publicNetworkAccess\":\"Perhaps\"}}");
        assertThat(badAccess.statusCode()).isEqualTo(400);
        HttpResponse<String> notJson = send("PUT", GROUP + "/acctapi7", "{not json");
        assertThat(errorCode(notJson)).isEqualTo("InvalidRequestContent");
        assertThat(send("GET", GROUP + "/acctapi7", null).statusCode()).isEqualTo(404);
    }

    private static String errorCode(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body()).path("error").path("code").asText();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return server.send(method, path + "?api-version=2023-05-01", body);
    }
}
