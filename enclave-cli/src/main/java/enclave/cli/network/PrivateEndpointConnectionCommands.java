package enclave.cli.network;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code enclave network private-endpoint-connection ...}, as {@code az network private-endpoint-connection}: the target
 * owner's side. A connection is named by {@code -n <name> --resource-id <target id>} or by {@code --id <connection id>}.
 */
@Command(name = "private-endpoint-connection", description = "Approve, reject, show, list and delete the private endpoint connections of a resource.")
public final class PrivateEndpointConnectionCommands extends NetworkCommands.Group {

    @Command(name = "approve", description = "Approve a pending connection (needs <type>/privateEndpointConnectionsApproval/action on the resource).")
    int approve(@Option(names = {"-n", "--name"}) String name, @Option(names = "--resource-id") String target, @Option(names = "--id") String id,
            @Option(names = "--description") String description) {
        return setStatus(path(name, target, id), "Approved", description);
    }

    @Command(name = "reject", description = "Reject a connection (needs <type>/privateEndpointConnectionsApproval/action on the resource).")
    int reject(@Option(names = {"-n", "--name"}) String name, @Option(names = "--resource-id") String target, @Option(names = "--id") String id,
            @Option(names = "--description") String description) {
        return setStatus(path(name, target, id), "Rejected", description);
    }

    @Command(name = "show", description = "Show a connection.")
    int show(@Option(names = {"-n", "--name"}) String name, @Option(names = "--resource-id") String target, @Option(names = "--id") String id) {
        parent.session.output().print(parent.session.connection().management().get(path(name, target, id)));
        return 0;
    }

    @Command(name = "list", description = "List the connections of a resource.")
    int list(@Option(names = {"--resource-id", "--id"}, required = true, description = "The id of the resource.") String target) {
        parent.session.output().print(JsonNodeFactory.instance.arrayNode().addAll(parent.session.connection().management()
                .list(target + "/privateEndpointConnections")));
        return 0;
    }

    @Command(name = "delete", description = "Delete a connection; the private endpoint stays, Disconnected.")
    int delete(@Option(names = {"-n", "--name"}) String name, @Option(names = "--resource-id") String target, @Option(names = "--id") String id) {
        new ResourceOperations(parent.session).delete(path(name, target, id), false, "deleting private endpoint connection");
        return 0;
    }

    private int setStatus(String path, String status, String description) {
        Session session = parent.session;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode state = body.putObject("properties").putObject("privateLinkServiceConnectionState");
        state.put("status", status);
        if (description != null) {
            state.put("description", description);
        }
        session.output().print(session.connection().management().put(path, body).body());
        return 0;
    }

    private static String path(String name, String target, String id) {
        if (id != null) {
            if (name != null || target != null) {
                throw CliException.usage("give either --id, or -n with --resource-id, not both");
            }
            if (!id.contains("/privateEndpointConnections/")) {
                throw CliException.usage("--id must be a connection id (<resource id>/privateEndpointConnections/<name>); for a resource, use -n and --resource-id");
            }
            return id;
        }
        if (name == null || target == null) {
            throw CliException.usage("name the connection with -n <name> --resource-id <resource id>, or with --id <connection id>");
        }
        return target + "/privateEndpointConnections/" + name;
    }
}
