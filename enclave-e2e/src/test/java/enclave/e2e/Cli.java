package enclave.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.Main;
import enclave.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** The enclave CLI, run in-process against a data directory, as a user would type it. */
final class Cli {
    private final Map<String, String> env;

    Cli(Path home) {
        this.env = Map.of("ENCLAVE_HOME", home.toString());
    }

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(out);
        }

        Result ok() {
            if (exit != 0) {
                throw new AssertionError("expected success, got exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }
    }

    /** Creates resource group {@code group} and makes it the default. */
    void useNewGroup(String group) {
        run("group", "create", "-n", group).ok();
        run("configure", "--defaults", "group=" + group).ok();
    }

    /** Creates resource group {@code group} and workspace {@code workspace} in it, makes both the defaults, and returns the workspace. */
    JsonNode useNewWorkspace(String group, String workspace) throws IOException {
        run("group", "create", "-n", group).ok();
        JsonNode created = run("ml", "workspace", "create", "-n", workspace, "-g", group).ok().json();
        run("configure", "--defaults", "group=" + group, "workspace=" + workspace).ok();
        return created;
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
