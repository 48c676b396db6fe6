package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's end-to-end story with Azure's names: scoring code reads {@code https://<account>.blob.core.windows.net/<container>/<file>}
 * unchanged, the name resolving through the platform's DNS inside the deployment (its own mount namespace) and the platform CA
 * trusted. Three clients: plain {@code requests} calls to the managed-identity endpoint (Azure's sample contract), Python's
 * azure-identity with azure-storage-blob, and Java's azure-identity with azure-storage-blob. The server runs as {@code ./enclave up}
 * does as root: its own address, DNS on 53 and the gateway also on 443.
 */
class ManagedIdentityNamesTest {
    private static final Path SCORERS = Path.of("src/test/resources/scorers").toAbsolutePath();
    private static final Path HELLO = Path.of("..", "..", "shared", "reference", "azureml-examples", "cli", "endpoints", "online", "managed",
            "managed-identities", "hello.txt").toAbsolutePath().normalize();
    private static final String READER = "Storage Blob Data Reader";
    private static TestServer enclave;
    private static Cli cli;
    private static String account;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.startNamed("127.64.0.1");
        cli = new Cli(enclave.home);
        cli.useNewWorkspace("names-rg", "names-ws");
        // The sample's storage: an account, a container and hello.txt, written by the admin (who grants itself the data role).
        account = cli.run("storage", "account", "create", "-n", "namesdata", "-g", "names-rg").ok().json().get("id").asText();
        cli.run("role", "assignment", "create", "--assignee", enclave.admin.get("clientId").asText(), "--role", "Storage Blob Data Contributor",
                "--scope", account).ok();
        cli.run("storage", "container", "create", "--account-name", "namesdata", "-n", "hello").ok();
        cli.run("storage", "blob", "upload", "--account-name", "namesdata", "-c", "hello", "-n", "hello.txt", "-f", HELLO.toString()).ok();
    }

    @AfterAll
    static void stop() throws Exception {
        // The story ends with the data account gone too (every test here reads from it, so it goes last).
        cli.run("storage", "account", "delete", "-n", "namesdata", "-g", "names-rg", "-y").ok();
        assertThat(cli.run("storage", "account", "show", "-n", "namesdata", "-g", "names-rg").exit()).isNotZero();
        enclave.close();
    }

    @Test
    void theSamplesScoringCodeReadsTheBlobByItsAzureNameWithEitherIdentityUntilTheRoleGoes() throws Exception {
        // System-assigned: granted read on the data account, its init() reads hello.txt.
        String system = cli.run("ml", "online-endpoint", "create", "-n", "names-sai").ok().json().at("/identity/principalId").asText();
        cli.run("role", "assignment", "create", "--assignee", system, "--role", READER, "--scope", account).ok();
        deploy("names-sai", "blue", "mi-names", "score_managedidentity.py", "");
        assertThat(logs("names-sai", "blue")).contains("Blob content: Hello world!");
        assertThat(invoke("names-sai")).contains("Hello world!");

        // User-assigned: the identity needs the deployment's pull roles and the data role, all granted by hand.
        JsonNode identity = cli.run("identity", "create", "-n", "names-uai", "-g", "names-rg").ok().json();
        String principal = identity.get("principalId").asText();
        JsonNode workspace = cli.run("ml", "workspace", "show", "-n", "names-ws").ok().json();
        cli.run("role", "assignment", "create", "--assignee", principal, "--role", "AcrPull", "--scope",
                workspace.at("/properties/containerRegistry").asText()).ok();
        cli.run("role", "assignment", "create", "--assignee", principal, "--role", READER, "--scope", workspace.at("/properties/storageAccount").asText()).ok();
        cli.run("role", "assignment", "create", "--assignee", principal, "--role", READER, "--scope", account).ok();
        cli.run("ml", "online-endpoint", "create", "-n", "names-uai", "--set", "identity.type=user_assigned",
                "--set", "identity.user_assigned_identities[0].resource_id=" + identity.get("id").asText()).ok();
        deploy("names-uai", "blue", "mi-names", "score_managedidentity.py", "  UAI_CLIENT_ID: " + identity.get("clientId").asText() + "\n");
        assertThat(logs("names-uai", "blue")).contains("Blob content: Hello world!");
        assertThat(invoke("names-uai")).contains("Hello world!");

        // Without the role, the next deployment fails and says why; the endpoint, the account and the identity then go.
        cli.run("role", "assignment", "delete", "--assignee", system, "--role", READER, "--scope", account).ok();
        Path yaml = deploymentYaml("names-sai", "green", "mi-names", "score_managedidentity.py", "");
        Cli.Result refused = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("ScoringScriptInitFailed").contains("403").contains("AuthorizationPermissionMismatch");

        cli.run("ml", "online-endpoint", "delete", "-n", "names-sai", "-y").ok();
        cli.run("ml", "online-endpoint", "delete", "-n", "names-uai", "-y").ok();
        cli.run("identity", "delete", "-n", "names-uai", "-g", "names-rg").ok();
        assertThat(cli.run("identity", "show", "-n", "names-uai", "-g", "names-rg").exit()).isNotZero();
    }

    @Test
    void pythonAzureSdkAndJavaAzureSdkReadTheSameBlobUnchanged() throws Exception {
        String system = cli.run("ml", "online-endpoint", "create", "-n", "names-sdk").ok().json().at("/identity/principalId").asText();
        cli.run("role", "assignment", "create", "--assignee", system, "--role", READER, "--scope", account).ok();

        deploy("names-sdk", "python", "mi-sdk", "score.py", "");
        assertThat(logs("names-sdk", "python")).contains("Blob content (azure sdk): Hello world!");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        deploy("names-sdk", "java", "mi-java", "score.py", "  READER_JAVA: \"" + java + "\"\n  READER_CLASSPATH: \"" + System.getProperty("java.class.path") + "\"\n");
        assertThat(logs("names-sdk", "java")).contains("Blob content (java): Hello world!");
    }

    @Test
    void scoringCodeReadsAConnectionSecretWithItsIdentityOnlyWhenItHoldsTheRole() throws Exception {
        Path yaml = Files.writeString(files.resolve("connection.yml"), "name: weather-api\ntype: api_key\ntarget: https://weather.example/v1\n"
                + "credentials:\n  type: api_key\n  key: s3cr3t-weather-key\n");
        String connection = cli.run("ml", "connection", "create", "-f", yaml.toString()).ok().json().get("id").asText();
        String workspace = cli.run("ml", "workspace", "show", "-n", "names-ws").ok().json().get("id").asText();
        String system = cli.run("ml", "online-endpoint", "create", "-n", "names-conn").ok().json().at("/identity/principalId").asText();

        // Without the secrets reader role, listsecrets is refused and init() fails with that answer.
        Path refusedYaml = deploymentYaml("names-conn", "blue", "connection-reader", "score.py", "  CONNECTION_ID: " + connection + "\n");
        Cli.Result refused = cli.run("ml", "online-deployment", "create", "-f", refusedYaml.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("listsecrets failed with 403").contains("AuthorizationFailed");

        cli.run("role", "assignment", "create", "--assignee", system, "--role", "Azure Machine Learning Workspace Connection Secrets Reader",
                "--scope", workspace).ok();
        deploy("names-conn", "blue", "connection-reader", "score.py", "  CONNECTION_ID: " + connection + "\n");
        assertThat(logs("names-conn", "blue")).contains("connection secret read:").contains("s3cr3t-weather-key");
        assertThat(invoke("names-conn")).contains("s3cr3t-weather-key");
    }

    private static Path deploymentYaml(String endpoint, String name, String scorer, String script, String moreVariables) throws Exception {
        return Files.writeString(files.resolve(endpoint + "-" + name + ".yml"), "name: " + name + "\nendpoint_name: " + endpoint + "\nmodel:\n  path: "
                + Toolbox.EXAMPLES.resolve("model-1/model") + "\ncode_configuration:\n  code: " + SCORERS.resolve(scorer) + "\n  scoring_script: " + script
                + "\nenvironment:\n  conda_file: " + Toolbox.CONDA + "\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n"
                + "instance_type: Standard_DS3_v2\ninstance_count: 1\nenvironment_variables:\n  STORAGE_ACCOUNT_NAME: namesdata\n"
                + "  STORAGE_CONTAINER_NAME: hello\n  FILE_NAME: hello.txt\n" + moreVariables);
    }

    private static void deploy(String endpoint, String name, String scorer, String script, String moreVariables) throws Exception {
        Path yaml = deploymentYaml(endpoint, name, scorer, script, moreVariables);
        Cli.Result created = cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic");
        assertThat(created.exit()).as(created.err() + "\n" + cli.run("ml", "online-deployment", "get-logs", "-n", name, "-e", endpoint).out()).isZero();
    }

    private static String logs(String endpoint, String deployment) {
        return cli.run("ml", "online-deployment", "get-logs", "-n", deployment, "-e", endpoint).ok().out();
    }

    private static String invoke(String endpoint) throws Exception {
        Path request = Files.writeString(files.resolve("request.json"), "{}");
        return cli.run("ml", "online-endpoint", "invoke", "-n", endpoint, "-r", request.toString()).ok().out();
    }
}
