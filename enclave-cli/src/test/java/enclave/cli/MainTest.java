package enclave.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI run in-process without a server: help, usage errors, local state, and validation before any call. */
class MainTest {
    @TempDir
    Path home;

    record Run(int exitCode, String out, String err) {}

    @Test
    void helpEverywhere() {
        Run root = run("--help");
        assertThat(root.exitCode()).isZero();
        assertThat(root.out()).contains("Usage: enclave", "up", "down", "status", "configure", "group", "ml");

        Run leaf = run("ml", "online-deployment", "get-logs", "-h");
        assertThat(leaf.exitCode()).isZero();
        assertThat(leaf.out()).contains("--container", "--lines", "-e, --endpoint-name", "-o, --output", "--query");

        assertThat(run("ml").out()).contains("workspace", "online-endpoint", "online-deployment");
        assertThat(root.out()).contains("login", "logout", "account", "ad", "role");
        assertThat(run("role").out()).contains("definition", "assignment", "check");
        assertThat(run("ad").out()).contains("sp", "user");
    }

    @Test
    void signInOptionsAzRefusesAreRefusedBeforeAnythingIsSent() {
        for (String[] args : new String[][] {
                {"login", "-p", "secret"},
                {"login", "--tenant", "t"},
                {"login", "--service-principal", "-u", "app"},
                {"login", "--identity", "--service-principal"},
                {"login", "--identity", "-u", "a", "--client-id", "b"},
                {"login", "--client-id", "c"},
                {"role", "assignment", "create", "--assignee", "a", "--role", "Reader"},
                {"role", "assignment", "delete", "--assignee", "a"},
                {"role", "check", "--assignee", "a", "--action", "x y", "--scope", "/subscriptions/s"}}) {
            Run run = run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).as(String.join(" ", args)).startsWith("ERROR: (UsageError) ");
        }
        Run withoutIdentity = run("login", "-u", "alice@enclave.local");
        assertThat(withoutIdentity.err()).isEqualTo("ERROR: (UsageError) pass the password with -p PASSWORD (there is no terminal to ask for it)\n");
    }

    @Test
    void usageErrorsExitWithTwo() {
        Run unknown = run("ml", "online-endpoint", "frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("ERROR: (UsageError) ").contains("frobnicate");

        Run format = run("status", "-o", "xml");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).contains("'xml' is not one of json, yaml, table, tsv");

        Run missing = run("ml", "online-endpoint", "show");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--name=NAME'");

        Run traffic = run("ml", "online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=abc");
        assertThat(traffic.exitCode()).isEqualTo(2);
        assertThat(traffic.err()).isEqualTo("ERROR: (UsageError) --traffic: the weight of 'blue' must be a whole number from 0 to 100, not 'abc'\n");
    }

    @Test
    void statusOfAHomeWithoutServer() {
        Run status = run("status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).isEqualTo("{\n  \"state\": \"stopped\",\n  \"home\": \"" + home + "\"\n}\n");

        Run state = run("status", "--query", "state", "-o", "tsv");
        assertThat(state.out()).isEqualTo("stopped\n");
    }

    @Test
    void commandsNeedingTheServerSayHowToStartIt() {
        Run list = run("group", "list");
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).isEqualTo("ERROR: (ServerNotRunning) Enclave is not running (no " + home.resolve("server.json")
                + "): start it with ./enclave up\n");
    }

    @Test
    void downWithoutServer() {
        Run down = run("down");
        assertThat(down.exitCode()).isZero();
        assertThat(down.out()).isEqualTo("Enclave is not running\n");
    }

    @Test
    void defaultsAreStoredInTheHome() throws IOException {
        assertThat(run("configure", "--defaults", "group=rg1", "workspace=ws1").exitCode()).isZero();
        assertThat(Files.readString(home.resolve("cli/config.json"))).contains("\"group\" : \"rg1\"", "\"workspace\" : \"ws1\"");

        Run list = run("configure", "--list-defaults", "--query", "[].[name, value]", "-o", "tsv");
        assertThat(list.out()).isEqualTo("group\trg1\nworkspace\tws1\n");

        Run bad = run("configure", "--defaults", "color=blue");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("'color' is not a default Enclave knows");
    }

    @Test
    void badFilesFailBeforeTheServerIsContacted() throws IOException {
        Path file = Files.writeString(home.resolve("endpoint.yml"), "name: my-endpoint\nauth_mode: key\nauthmode: key\n");
        Run create = run("ml", "online-endpoint", "create", "-f", file.toString());
        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(create.err()).startsWith("ERROR: (UnknownField) " + file + ": line 3: unknown field 'authmode' in endpoint; allowed: ");

        Path deployment = Files.writeString(home.resolve("deployment.yml"), "name: blue\nendpoint_name: my-endpoint\nmodel:\n  path: ../../x\n");
        Run deploy = run("ml", "online-deployment", "create", "-f", deployment.toString());
        assertThat(deploy.err()).isEqualTo("ERROR: (UserError) model.path '../../x' does not exist (resolved to "
                + home.resolve("../../x").normalize() + ")\n");
    }

    @Test
    void badQueryIsAUsageError() {
        Run run = run("status", "--query", "[?");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("ERROR: (InvalidQuery) --query '[?' is not a valid JMESPath expression");
    }

    @Test
    void deletingWithoutATerminalNeedsYes() {
        Run run = run("ml", "online-endpoint", "delete", "-n", "my-endpoint");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("ERROR: (UsageError) Delete endpoint 'my-endpoint' and all its deployments? "
                + "Pass -y/--yes to confirm when not running in a terminal.\n");
    }

    @Test
    void upWithoutAServerJarSaysHowToStart() {
        Run up = run("up", "--detach");
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).isEqualTo("ERROR: (UserError) ENCLAVE_SERVER_JAR is not set: start Enclave with the ./enclave script at the repository root\n");
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("ENCLAVE_HOME", home.toString()));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
