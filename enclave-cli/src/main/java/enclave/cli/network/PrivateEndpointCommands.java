package enclave.cli.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.cli.yaml.KeyValues;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code enclave network private-endpoint ...}, as {@code az network private-endpoint}. */
@Command(name = "private-endpoint", description = "Manage private endpoints: a private IP in a subnet connected to one resource.")
public final class PrivateEndpointCommands extends NetworkCommands.Group {

    @Command(name = "create", description = "Create a private endpoint (approved at once if you may approve connections on the target, else pending).")
    int create(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = "--vnet-name", description = "The subnet's virtual network (in the same resource group), unless --subnet is an id.") String vnet,
            @Option(names = "--subnet", required = true, description = "Subnet name, or its full id.") String subnet,
            @Option(names = {"--private-connection-resource-id", "--resource-id"}, required = true, description = "The id of the target resource.") String target,
            @Option(names = {"--group-id", "--group-ids"}, required = true, description = "amlworkspace, blob, registry, vault, prometheusMetrics, ...") String groupId,
            @Option(names = "--connection-name", required = true) String connectionName,
            @Option(names = "--manual-request", arity = "0..1", fallbackValue = "true", description = "Ask the target's owner to approve, even if you could.")
                    boolean manualRequest,
            @Option(names = "--request-message") String requestMessage, @Option(names = {"-l", "--location"}) String location,
            @Option(names = "--tags", arity = "1..*") List<String> tags) {
        Session session = parent.session;
        String subnetId = subnet.startsWith("/") ? subnet : NetworkCommands.path(session, group, "virtualNetworks",
                NetworkCommands.required(vnet, "--vnet-name (or a subnet id in --subnet)")) + "/subnets/" + subnet;
        JsonNode body = body(location, tags, subnetId, target, groupId, connectionName, manualRequest, requestMessage);
        new ResourceOperations(session).put(NetworkCommands.path(session, group, "privateEndpoints", name), body, false, "creating private endpoint " + name)
                .ifPresent(session.output()::print);
        return 0;
    }

    /** The ARM body of a private endpoint (also used by {@code ml workspace private-endpoint add}). */
    public static ObjectNode body(String location, List<String> tags, String subnetId, String target, String groupId, String connectionName,
            boolean manualRequest, String requestMessage) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        Optional.ofNullable(location).ifPresent(l -> body.put("location", l));
        ObjectNode tagNode = body.putObject("tags");
        KeyValues.tags(tags).forEach(tagNode::put);
        ObjectNode properties = body.putObject("properties");
        properties.putObject("subnet").put("id", subnetId);
        ObjectNode connection = properties.putArray(manualRequest ? "manualPrivateLinkServiceConnections" : "privateLinkServiceConnections").addObject();
        connection.put("name", connectionName);
        ObjectNode connectionProperties = connection.putObject("properties");
        connectionProperties.put("privateLinkServiceId", target);
        connectionProperties.putArray("groupIds").add(groupId);
        if (requestMessage != null) {
            connectionProperties.put("requestMessage", requestMessage);
        }
        return body;
    }

    @Command(name = "show", description = "Show a private endpoint.")
    int show(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
        parent.session.output().print(parent.session.connection().management().get(NetworkCommands.path(parent.session, group, "privateEndpoints", name)));
        return 0;
    }

    @Command(name = "list", description = "List the private endpoints of a resource group, or with --all of the whole subscription.")
    int list(@Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = "--all", description = "Every resource group's, deployments' own networks included.") boolean all) {
        String path = all ? "/subscriptions/" + parent.session.connection().subscription() + "/providers/Microsoft.Network/privateEndpoints"
                : NetworkCommands.path(parent.session, group, "privateEndpoints", null);
        parent.session.output().print(JsonNodeFactory.instance.arrayNode().addAll(parent.session.connection().management().list(path)));
        return 0;
    }

    @Command(name = "delete", description = "Delete a private endpoint (its address and its connection on the target go with it).")
    int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
        if (name.isBlank()) {
            throw CliException.usage("--name must not be empty");
        }
        new ResourceOperations(parent.session).delete(NetworkCommands.path(parent.session, group, "privateEndpoints", name), false,
                "deleting private endpoint " + name);
        return 0;
    }
}
