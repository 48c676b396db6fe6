package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code enclave storage ...} against the real blob service: accounts, containers, blobs, and who may touch them. */
class StorageCliTest {
    private static TestServer enclave;
    private static Cli cli;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.useNewGroup("st-rg");
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
    void blobsGoUpAndComeBackThroughTheCli() throws Exception {
        JsonNode account = cli.run("storage", "account", "create", "-n", "clidata").ok().json();
        assertThat(account.at("/properties/primaryEndpoints/blob").asText()).endsWith("/clidata/");
        // containers are a control action (Owner has it); blobs are data, which Owner, as in Azure, does not include
        cli.run("storage", "container", "create", "-n", "docs", "--account-name", "clidata").ok();
        Path hello = Files.writeString(files.resolve("hello.txt"), "hello, blob\n");
        Cli.Result noRole = cli.run("storage", "blob", "upload", "--account-name", "clidata", "-c", "docs", "-f", hello.toString());
        assertThat(noRole.exit()).isEqualTo(1);
        assertThat(noRole.err()).contains("(AuthorizationPermissionMismatch)").contains("blobs/write");

        String admin = enclave.admin.get("clientId").asText();
        cli.run("role", "assignment", "create", "--assignee", admin, "--role", "Storage Blob Data Contributor", "--scope", account.get("id").asText()).ok();
        cli.run("storage", "blob", "upload", "--account-name", "clidata", "-c", "docs", "-n", "greetings/hello.txt", "-f", hello.toString()).ok();
        cli.run("storage", "blob", "upload", "--account-name", "clidata", "-c", "docs", "-f", hello.toString()).ok();

        assertThat(cli.run("storage", "blob", "list", "--account-name", "clidata", "-c", "docs", "--prefix", "greetings/", "--query", "[].name", "-o", "tsv")
                .ok().out().strip()).isEqualTo("greetings/hello.txt");
        assertThat(cli.run("storage", "container", "list", "--account-name", "clidata", "--query", "[].name", "-o", "tsv").ok().out().strip()).isEqualTo("docs");
        Path back = files.resolve("back.txt");
        cli.run("storage", "blob", "download", "--account-name", "clidata", "-c", "docs", "-n", "greetings/hello.txt", "-f", back.toString()).ok();
        assertThat(Files.readString(back)).isEqualTo("hello, blob\n");

        Cli.Result missing = cli.run("storage", "blob", "download", "--account-name", "clidata", "-c", "nope", "-n", "x", "-f", files.resolve("x").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("(ContainerNotFound)");
        assertThat(Files.exists(files.resolve("x"))).isFalse();

        cli.run("storage", "blob", "delete", "--account-name", "clidata", "-c", "docs", "-n", "hello.txt").ok();
        assertThat(cli.run("storage", "blob", "list", "--account-name", "clidata", "-c", "docs", "--query", "length(@)", "-o", "tsv").ok().out().strip())
                .isEqualTo("1");
        cli.run("storage", "account", "delete", "-n", "clidata", "-y").ok();
        assertThat(cli.run("storage", "account", "show", "-n", "clidata").exit()).isEqualTo(1);
    }

    @Test
    void aReaderCanDownloadButNotUpload() throws Exception {
        JsonNode account = cli.run("storage", "account", "create", "-n", "clishared").ok().json();
        String admin = enclave.admin.get("clientId").asText();
        cli.run("role", "assignment", "create", "--assignee", admin, "--role", "Storage Blob Data Contributor", "--scope", account.get("id").asText()).ok();
        cli.run("storage", "container", "create", "-n", "notes", "--account-name", "clishared").ok();
        Path note = Files.writeString(files.resolve("note.txt"), "for readers");
        cli.run("storage", "blob", "upload", "--account-name", "clishared", "-c", "notes", "-f", note.toString()).ok();

        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "reader-bot", "--role", "Storage Blob Data Reader", "--scopes", account.get("id").asText())
                .ok().json();
        cli.run("login", "--service-principal", "-u", sp.get("appId").asText(), "-p", sp.get("password").asText()).ok();
        Path copy = files.resolve("copy.txt");
        cli.run("storage", "blob", "download", "--account-name", "clishared", "-c", "notes", "-n", "note.txt", "-f", copy.toString()).ok();
        assertThat(Files.readString(copy)).isEqualTo("for readers");
        Cli.Result upload = cli.run("storage", "blob", "upload", "--account-name", "clishared", "-c", "notes", "-n", "mine.txt", "-f", note.toString());
        assertThat(upload.exit()).isEqualTo(1);
        assertThat(upload.err()).contains("(AuthorizationPermissionMismatch)");
    }
}
