package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workspace connections: secrets never shown by show/list, sealed at rest, and readable only with the listsecrets action. */
class ConnectionsCliTest {
    private static final String SECRET = "sk-very-secret-9f8e7d6c5b4a";
    private static TestServer enclave;
    private static Cli cli;
    private static String ws;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        ws = cli.useNewWorkspace("cn-rg", "cn-ws").get("id").asText();
        Path yaml = Files.writeString(files.resolve("connection.yml"), """
                $schema: http://azureml/sdk-2-0/Connection.json
                name: weather-api
                type: api_key
                target: https://weather.example/v1
                credentials:
                  type: api_key
                  key: %s
                metadata:
                  owner: data-team
                """.formatted(SECRET));
        cli.run("ml", "connection", "create", "-f", yaml.toString()).ok();
    }

    @AfterEach
    void signOut() {
        cli.run("logout");
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void showAndListNeverPrintTheSecretListSecretsDoes() {
        String shown = cli.run("ml", "connection", "show", "-n", "weather-api").ok().out();
        assertThat(shown).contains("https://weather.example/v1").contains("ApiKey").doesNotContain(SECRET);
        assertThat(cli.run("ml", "connection", "list").ok().out()).contains("weather-api").doesNotContain(SECRET);
        assertThat(cli.run("ml", "connection", "list-secrets", "-n", "weather-api", "--query", "properties.credentials.key", "-o", "tsv").ok().out().strip())
                .isEqualTo(SECRET);
    }

    @Test
    void theSecretIsSealedAtRestWithAKeyKeptApartFromTheDatabase() throws Exception {
        try (Stream<Path> dbFiles = Files.walk(enclave.home.resolve("db"))) {
            for (Path file : dbFiles.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(SECRET);
            }
        }
        assertThat(enclave.home.resolve("keys/secrets.key")).exists();
    }

    @Test
    void listingSecretsNeedsTheSecretsReaderRole() throws Exception {
        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "conn-reader", "--role", "Reader", "--scopes", ws).ok().json();
        cli.run("login", "--service-principal", "-u", sp.get("appId").asText(), "-p", sp.get("password").asText()).ok();
        assertThat(cli.run("ml", "connection", "show", "-n", "weather-api").ok().out()).doesNotContain(SECRET);
        Cli.Result refused = cli.run("ml", "connection", "list-secrets", "-n", "weather-api");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("AuthorizationFailed").contains("connections/listsecrets/action");

        cli.run("logout").ok();
        cli.run("role", "assignment", "create", "--assignee", sp.get("appId").asText(), "--role", "Azure Machine Learning Workspace Connection Secrets Reader",
                "--scope", ws).ok();
        cli.run("login", "--service-principal", "-u", sp.get("appId").asText(), "-p", sp.get("password").asText()).ok();
        assertThat(cli.run("ml", "connection", "list-secrets", "-n", "weather-api").ok().out()).contains(SECRET);
    }

    @Test
    void badConnectionFilesAreRefusedAndStoreNothing() throws Exception {
        Path noKey = Files.writeString(files.resolve("no-key.yml"), "name: broken\ntype: api_key\ntarget: https://x\ncredentials:\n  type: api_key\n");
        Cli.Result missing = cli.run("ml", "connection", "create", "-f", noKey.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("credentials.key");
        Path unknown = Files.writeString(files.resolve("unknown.yml"), "name: broken\ntype: api_key\ntargte: https://x\n");
        Cli.Result typo = cli.run("ml", "connection", "create", "-f", unknown.toString());
        assertThat(typo.exit()).isEqualTo(1);
        assertThat(typo.err()).contains("targte").contains("line 3");
        assertThat(cli.run("ml", "connection", "show", "-n", "broken").exit()).isEqualTo(1);
    }
}
