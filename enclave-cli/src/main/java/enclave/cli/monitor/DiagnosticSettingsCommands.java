package enclave.cli.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.Session;
import enclave.core.EnclaveException;
import enclave.core.Json;
import enclave.core.ResourceId;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code enclave monitor diagnostic-settings ...}, as {@code az monitor diagnostic-settings}: which log categories of a
 * resource are kept. For online endpoints, {@code AmlOnlineEndpointTrafficLog} turns the traffic log on and off.
 */
@Command(name = "diagnostic-settings", description = "Turn log categories of a resource on or off (e.g. an endpoint's traffic log).")
public final class DiagnosticSettingsCommands implements Runnable {
    private static final String PROVIDER = "/providers/Microsoft.Insights/diagnosticSettings";
    private final Session session;

    @Spec
    CommandSpec spec;

    public DiagnosticSettingsCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create or replace a diagnostic setting, e.g. --logs '[{\"category\":\"AmlOnlineEndpointTrafficLog\",\"enabled\":false}]'.")
    int create(
            @Option(names = {"-n", "--name"}, required = true, description = "Name of the setting.") String name,
            @Option(names = "--resource", required = true, description = "Resource id, e.g. of an online endpoint.") String resource,
            @Option(names = "--logs", required = true, description = "JSON list of {\"category\", \"enabled\"}.") String logs) {
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(logs);
        } catch (IOException e) {
            throw CliException.user("--logs is not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof ArrayNode list) || list.isEmpty()) {
            throw CliException.user("--logs must be a JSON list such as [{\"category\":\"AmlOnlineEndpointTrafficLog\",\"enabled\":false}]");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("properties").set("logs", list);
        session.output().print(session.connection().management().put(path(resource, name), body).body());
        return 0;
    }

    @Command(name = "show", description = "Show a diagnostic setting.")
    int show(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--resource", required = true) String resource) {
        session.output().print(session.connection().management().get(path(resource, name)));
        return 0;
    }

    @Command(name = "list", description = "List the diagnostic settings of a resource.")
    int list(@Option(names = "--resource", required = true) String resource) {
        session.output().print(session.connection().management().get(resourceId(resource) + PROVIDER).path("value"));
        return 0;
    }

    @Command(name = "delete", description = "Delete a diagnostic setting (an endpoint then keeps its traffic log, Enclave's default).")
    int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--resource", required = true) String resource) {
        session.connection().management().delete(path(resource, name));
        return 0;
    }

    private static String path(String resource, String name) {
        if (!name.matches("[A-Za-z0-9_.-]{1,260}")) {
            throw CliException.user("diagnostic setting name '" + name + "' may hold letters, digits, '.', '_' and '-' only");
        }
        return resourceId(resource) + PROVIDER + "/" + name;
    }

    private static String resourceId(String resource) {
        try {
            return ResourceId.parse(resource).toString();
        } catch (EnclaveException e) {
            throw CliException.user("--resource: " + e.getMessage());
        }
    }
}
