package enclave.cli.group;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.core.EnclaveException;
import enclave.core.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave group ...}: resource groups, as {@code az group}. */
@Command(name = "group", description = "Manage resource groups.")
public final class GroupCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public GroupCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create a resource group (or update its location).")
    int create(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-l", "--location"}, paramLabel = "LOCATION", description = "Location (default: the server's).") String location) {
        String path = path(name);
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("location", location != null ? location : session.connection().info().locationOrDefault());
        new ResourceOperations(session).put(path, body, false, "creating resource group " + name).ifPresent(session.output()::print);
        return 0;
    }

    @Command(name = "show", description = "Show a resource group.")
    int show(@Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name) {
        session.output().print(session.connection().management().get(path(name)));
        return 0;
    }

    @Command(name = "list", description = "List resource groups.")
    int list() {
        String path = "/subscriptions/" + session.connection().subscription() + "/resourcegroups";
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(session.connection().management().list(path)));
        return 0;
    }

    @Command(name = "delete", description = "Delete an empty resource group.")
    int delete(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes,
            @Option(names = "--no-wait", description = "Return without waiting for the deletion to finish.") boolean noWait) {
        checkName(name);
        session.confirm(yes, "Delete resource group '" + name + "'?");
        new ResourceOperations(session).delete(path(name), noWait, "deleting resource group " + name);
        return 0;
    }

    private String path(String name) {
        checkName(name);
        return "/subscriptions/" + session.connection().subscription() + "/resourcegroups/" + name;
    }

    private static void checkName(String name) {
        try {
            Names.resourceGroupName(name);
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
    }
}
