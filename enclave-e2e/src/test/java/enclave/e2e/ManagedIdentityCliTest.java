package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's story through the CLI and real HTTPS: endpoints act as their managed identities. A system-assigned identity reads a
 * blob from its model's init() with a token from the worker's managed-identity endpoint; a user-assigned identity needs its roles
 * granted by hand before the storage initializer may pull; a removed role shows up as a clear failure; deleting the endpoint
 * deletes its identity.
 */
class ManagedIdentityCliTest {
    private static final Path BLOB_READER = Path.of("src/test/resources/scorers/blobreader").toAbsolutePath();
    private static final String STORAGE_READER = "Storage Blob Data Reader";

    private static TestServer enclave;
    private static Cli cli;
    private static String group;
    private static JsonNode workspace;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        workspace = cli.useNewWorkspace("mi-rg", "mi-ws");
        group = "/subscriptions/" + enclave.subscription() + "/resourceGroups/mi-rg";
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void aSystemAssignedIdentityReadsABlobInInitUntilItsRoleIsRemoved() throws Exception {
        // A data account with one blob, written by the admin (Owner has no data actions: it grants itself the data role first).
        String account = group + "/providers/Microsoft.Storage/storageAccounts/midata1";
        HttpResponse<String> created = enclave.mgmt("PUT", account, "{\"location\":\"local\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        cli.run("role", "assignment", "create", "--assignee", enclave.admin.get("clientId").asText(), "--role", "Storage Blob Data Contributor",
                "--scope", account).ok();
        String blobEndpoint = TestServer.json(created).at("/properties/primaryEndpoints/blob").asText();
        String storageToken = enclave.token("https://storage.azure.com/.default");
        assertThat(blobPut(blobEndpoint + "data?restype=container", storageToken, null).statusCode()).isEqualTo(201);
        assertThat(blobPut(blobEndpoint + "data/hello.txt", storageToken, "hello from the data account").statusCode()).isEqualTo(201);

        // The default identity is system-assigned, with AcrPull and Storage Blob Data Reader on the workspace's own resources.
        JsonNode endpoint = cli.run("ml", "online-endpoint", "create", "-n", "mi-reader").ok().json();
        assertThat(endpoint.at("/identity/type").asText()).isEqualTo("SystemAssigned");
        String principal = endpoint.at("/identity/principalId").asText();
        assertThat(endpoint.at("/identity/tenantId").asText()).isEqualTo(enclave.tenant());
        JsonNode roles = cli.run("role", "assignment", "list", "--assignee", principal, "--all").ok().json();
        assertThat(roles.findValuesAsText("roleDefinitionName")).containsExactlyInAnyOrder("AcrPull", STORAGE_READER);
        assertThat(roles.findValuesAsText("scope")).containsExactlyInAnyOrder(workspace.at("/properties/containerRegistry").asText(),
                workspace.at("/properties/storageAccount").asText());

        // Granted read on the data account, the model's init() gets a token and reads the blob.
        cli.run("role", "assignment", "create", "--assignee", principal, "--role", STORAGE_READER, "--scope", account).ok();
        Path yaml = deploymentYaml("mi-reader", "environment_variables:\n  BLOB_URL: " + blobEndpoint + "data/hello.txt\n");
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic").ok();
        assertThat(cli.run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "mi-reader").ok().out())
                .contains("read blob: hello from the data account");
        assertThat(cli.run("ml", "online-endpoint", "invoke", "-n", "mi-reader", "-r", request().toString()).ok().out())
                .contains("hello from the data account");

        // Without the role, the next start of the workers cannot read: init() fails with 403 and the log tail says so.
        cli.run("role", "assignment", "delete", "--assignee", principal, "--role", STORAGE_READER, "--scope", account).ok();
        Cli.Result refused = cli.run("ml", "online-deployment", "update", "-n", "blue", "-e", "mi-reader", "--set", "instance_count=2");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("ScoringScriptInitFailed").contains("failed with 403").contains("AuthorizationPermissionMismatch");
        // The previous generation keeps serving.
        assertThat(cli.run("ml", "online-endpoint", "invoke", "-n", "mi-reader", "-r", request().toString()).ok().out())
                .contains("hello from the data account");

        // Deleting the endpoint deletes its identity; then the data account goes.
        cli.run("ml", "online-endpoint", "delete", "-n", "mi-reader", "-y").ok();
        HttpResponse<String> gone = enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(cli.run("role", "assignment", "list", "--all").ok().json().findValuesAsText("principalId")).doesNotContain(principal);
        assertThat(enclave.mgmt("DELETE", account, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aSystemAssignedIdentityIsMadeWithTheEndpointHoldsTheWorkspaceRolesAndGoesWithIt() throws Exception {
        JsonNode endpoint = cli.run("ml", "online-endpoint", "create", "-n", "mi-system").ok().json();
        assertThat(endpoint.at("/identity/type").asText()).isEqualTo("SystemAssigned");
        assertThat(endpoint.at("/identity/tenantId").asText()).isEqualTo(enclave.tenant());
        String principal = endpoint.at("/identity/principalId").asText();
        JsonNode roles = cli.run("role", "assignment", "list", "--assignee", principal, "--all").ok().json();
        assertThat(roles.findValuesAsText("roleDefinitionName")).containsExactlyInAnyOrder("AcrPull", STORAGE_READER);
        assertThat(roles.findValuesAsText("scope")).containsExactlyInAnyOrder(workspace.at("/properties/containerRegistry").asText(),
                workspace.at("/properties/storageAccount").asText());
        Path yaml = Files.writeString(files.resolve("system.yml"), Toolbox.deploymentYaml("mi-system", "blue", 1, ""));
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic").ok();

        cli.run("ml", "online-endpoint", "delete", "-n", "mi-system", "-y").ok();
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(404);
        assertThat(cli.run("role", "assignment", "list", "--all").ok().json().findValuesAsText("principalId")).doesNotContain(principal);
    }

    @Test
    void aUserAssignedIdentityGetsNoRolesAndTheDeploymentNamesTheOnesItLacks() throws Exception {
        JsonNode identity = cli.run("identity", "create", "-n", "mi-puller", "-g", "mi-rg").ok().json();
        String identityId = identity.get("id").asText();
        String principal = identity.get("principalId").asText();
        String clientId = identity.get("clientId").asText();
        assertThat(cli.run("identity", "show", "-n", "mi-puller", "-g", "mi-rg").ok().json().get("clientId").asText()).isEqualTo(clientId);
        assertThat(cli.run("identity", "list", "-g", "mi-rg").ok().json().findValuesAsText("name")).contains("mi-puller");

        JsonNode endpoint = cli.run("ml", "online-endpoint", "create", "-n", "mi-uai", "--set", "identity.type=user_assigned",
                "--set", "identity.user_assigned_identities[0].resource_id=" + identityId).ok().json();
        assertThat(endpoint.at("/identity/type").asText()).isEqualTo("UserAssigned");
        assertThat(endpoint.at("/identity/userAssignedIdentities").get(identityId).get("clientId").asText()).isEqualTo(clientId);

        String storage = workspace.at("/properties/storageAccount").asText();
        String registry = workspace.at("/properties/containerRegistry").asText();
        Path yaml = Files.writeString(files.resolve("uai.yml"), Toolbox.deploymentYaml("mi-uai", "blue", 1, ""));
        Cli.Result noStorage = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(noStorage.exit()).isEqualTo(1);
        assertThat(noStorage.err()).contains(principal).contains("'" + STORAGE_READER + "' on " + storage)
                .contains("enclave role assignment create --assignee " + principal + " --role \"" + STORAGE_READER + "\" --scope " + storage);
        assertThat(cli.run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "mi-uai", "--container", "storage-initializer").ok().out())
                .contains("refused").contains(STORAGE_READER);

        cli.run("role", "assignment", "create", "--assignee", principal, "--role", STORAGE_READER, "--scope", storage).ok();
        Cli.Result noPull = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(noPull.exit()).isEqualTo(1);
        assertThat(noPull.err()).contains("'AcrPull' on " + registry);

        cli.run("role", "assignment", "create", "--assignee", principal, "--role", "AcrPull", "--scope", registry).ok();
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic").ok();

        // The worker's token endpoint: its own identity by client id, nothing else, and only with the deployment's secret.
        String endpointUrl = env("mi-uai", "IDENTITY_ENDPOINT");
        String secret = env("mi-uai", "IDENTITY_HEADER");
        assertThat(env("mi-uai", "MSI_SECRET")).isEqualTo(secret);
        assertThat(env("mi-uai", "REQUESTS_CA_BUNDLE")).isEqualTo(enclave.server.caFile().toAbsolutePath().toString());
        HttpResponse<String> mine = msi(endpointUrl + "?api-version=2019-08-01&resource=https://storage.azure.com/&client_id=" + clientId,
                "X-IDENTITY-HEADER", secret);
        assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
        JsonNode token = TestServer.json(mine);
        assertThat(token.get("client_id").asText()).isEqualTo(clientId);
        assertThat(token.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.get("expires_on").isTextual()).isTrue();
        HttpResponse<String> legacy = msi(endpointUrl + "?resource=https://storage.azure.com/", "secret", secret);
        assertThat(legacy.statusCode()).as(legacy.body()).isEqualTo(200);
        assertThat(msi(endpointUrl + "?api-version=2019-08-01&resource=https://storage.azure.com/&client_id=" + enclave.admin.get("clientId").asText(),
                "X-IDENTITY-HEADER", secret).statusCode()).isEqualTo(400);
        assertThat(msi(endpointUrl + "?resource=https://storage.azure.com/", "secret", "not-the-secret").statusCode()).isEqualTo(401);
        assertThat(msi(endpointUrl + "?resource=https://storage.azure.com/", "x-other", secret).statusCode()).isEqualTo(401);

        // The identity is fixed at creation.
        Cli.Result change = cli.run("ml", "online-endpoint", "update", "-n", "mi-uai", "--set", "identity.type=system_assigned",
                "--set", "identity.user_assigned_identities=null");
        assertThat(change.exit()).isEqualTo(1);
        assertThat(change.err()).contains("cannot change after creation");

        cli.run("ml", "online-endpoint", "delete", "-n", "mi-uai", "-y").ok();
        cli.run("identity", "delete", "-n", "mi-puller", "-g", "mi-rg").ok();
        assertThat(cli.run("identity", "show", "-n", "mi-puller", "-g", "mi-rg").err()).contains("ResourceNotFound");
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aUserAssignedIdentityIsAPrincipalThatGoesWithItsRoles() throws Exception {
        JsonNode identity = cli.run("identity", "create", "-n", "mi-lifecycle", "-g", "mi-rg").ok().json();
        String principal = identity.get("principalId").asText();
        assertThat(identity.get("id").asText()).isEqualTo(group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi-lifecycle");
        assertThat(identity.get("tenantId").asText()).isEqualTo(enclave.tenant());
        assertThat(cli.run("identity", "show", "-n", "mi-lifecycle", "-g", "mi-rg").ok().json().get("clientId").asText())
                .isEqualTo(identity.get("clientId").asText());
        assertThat(cli.run("identity", "list", "-g", "mi-rg").ok().json().findValuesAsText("name")).contains("mi-lifecycle");
        HttpResponse<String> directory = enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null);
        assertThat(TestServer.json(directory).get("type").asText()).isEqualTo("ManagedIdentity");
        cli.run("role", "assignment", "create", "--assignee", principal, "--role", "Reader", "--scope", group).ok();

        cli.run("identity", "delete", "-n", "mi-lifecycle", "-g", "mi-rg").ok();
        assertThat(cli.run("identity", "show", "-n", "mi-lifecycle", "-g", "mi-rg").err()).contains("ResourceNotFound").contains("enclave identity create");
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(404);
        assertThat(cli.run("role", "assignment", "list", "--all").ok().json().findValuesAsText("principalId")).doesNotContain(principal);
    }

    @Test
    void deletingAWorkspaceDeletesTheIdentitiesOfItsEndpoints() throws Exception {
        cli.run("ml", "workspace", "create", "-n", "mi-ws2", "-g", "mi-rg").ok();
        String principal = cli.run("ml", "online-endpoint", "create", "-n", "mi-in-ws2", "-w", "mi-ws2").ok().json().at("/identity/principalId").asText();
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(200);
        cli.run("ml", "workspace", "delete", "-n", "mi-ws2", "-g", "mi-rg", "-y").ok();
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(404);
        assertThat(cli.run("role", "assignment", "list", "--all").ok().json().findValuesAsText("principalId")).doesNotContain(principal);
    }

    @Test
    void anEndpointWithoutAnIdentityCannotDeploy() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "mi-none", "--set", "identity.type=none").ok();
        Path yaml = Files.writeString(files.resolve("none.yml"), Toolbox.deploymentYaml("mi-none", "blue", 1, ""));
        Cli.Result refused = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("has no managed identity").contains("system_assigned");
        Cli.Result missing = cli.run("ml", "online-endpoint", "create", "-n", "mi-missing", "--set", "identity.type=user_assigned",
                "--set", "identity.user_assigned_identities[0].resource_id=" + group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nobody");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("ResourceNotFound").contains("nobody").contains("enclave identity create");
    }

    private static Path deploymentYaml(String endpoint, String extra) throws Exception {
        return Files.writeString(files.resolve(endpoint + ".yml"), "name: blue\nendpoint_name: " + endpoint + "\nmodel:\n  path: "
                + Toolbox.EXAMPLES.resolve("model-1/model") + "\ncode_configuration:\n  code: " + BLOB_READER + "\n  scoring_script: score.py\n"
                + "environment:\n  conda_file: " + Toolbox.CONDA + "\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n"
                + "instance_type: Standard_DS3_v2\ninstance_count: 1\n" + extra);
    }

    private static Path request() throws Exception {
        return Files.writeString(files.resolve("request.json"), "{}");
    }

    /** A variable of the toolbox workers' environment, read through the toolbox's {@code env} action. */
    private static String env(String endpoint, String name) throws Exception {
        Path request = Files.writeString(files.resolve("env.json"), "{\"action\":\"env\",\"name\":\"" + name + "\"}");
        return enclave.json(cli.run("ml", "online-endpoint", "invoke", "-n", endpoint, "-r", request.toString()).ok().json().get("value"))
                .replace("\"", "");
    }

    private static HttpResponse<String> msi(String url, String header, String secret) throws Exception {
        return enclave.http.send(HttpRequest.newBuilder(URI.create(url)).header(header, secret).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> blobPut(String url, String token, String content) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).header("x-ms-version", "2023-11-03");
        if (content != null) {
            request.header("x-ms-blob-type", "BlockBlob").PUT(HttpRequest.BodyPublishers.ofString(content));
        } else {
            request.PUT(HttpRequest.BodyPublishers.noBody());
        }
        return enclave.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
