package enclave.cli.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.cli.yaml.KeyValues;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code enclave network vnet ...} and {@code enclave network vnet subnet ...}, as {@code az network vnet}. */
@Command(name = "vnet", description = "Manage virtual networks (address spaces inside 127.0.0.0/8).", subcommands = VnetCommands.SubnetCommands.class)
public final class VnetCommands extends NetworkCommands.Group {

    Session session() {
        return parent.session;
    }

    @Command(name = "create", description = "Create a virtual network, optionally with a first subnet.")
    int create(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = {"--address-prefix", "--address-prefixes"}, arity = "1..*", required = true,
                    description = "Address prefixes in 127.0.0.0/8, e.g. 127.42.0.0/16.") List<String> prefixes,
            @Option(names = "--subnet-name", description = "Create this subnet too.") String subnetName,
            @Option(names = {"--subnet-prefix", "--subnet-prefixes"}, description = "The subnet's prefix, e.g. 127.42.1.0/24.") String subnetPrefix,
            @Option(names = {"-l", "--location"}) String location, @Option(names = "--tags", arity = "1..*") List<String> tags) {
        Session session = session();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("location", location != null ? location : session.connection().info().locationOrDefault());
        ObjectNode tagNode = body.putObject("tags");
        KeyValues.tags(tags).forEach(tagNode::put);
        ObjectNode properties = body.putObject("properties");
        ArrayNode prefixNode = properties.putObject("addressSpace").putArray("addressPrefixes");
        prefixes.forEach(prefixNode::add);
        if (subnetName != null) {
            ObjectNode subnet = properties.putArray("subnets").addObject();
            subnet.put("name", subnetName);
            subnet.putObject("properties").put("addressPrefix", NetworkCommands.required(subnetPrefix, "--subnet-prefix (with --subnet-name)"));
        } else if (subnetPrefix != null) {
            throw CliException.usage("--subnet-prefix needs --subnet-name");
        }
        new ResourceOperations(session).put(NetworkCommands.path(session, group, "virtualNetworks", name), body, false, "creating virtual network " + name)
                .ifPresent(session.output()::print);
        return 0;
    }

    @Command(name = "show", description = "Show a virtual network.")
    int show(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
        session().output().print(session().connection().management().get(NetworkCommands.path(session(), group, "virtualNetworks", name)));
        return 0;
    }

    @Command(name = "list", description = "List the virtual networks of a resource group.")
    int list(@Option(names = {"-g", "--resource-group"}) String group) {
        session().output().print(JsonNodeFactory.instance.arrayNode().addAll(session().connection().management()
                .list(NetworkCommands.path(session(), group, "virtualNetworks", null))));
        return 0;
    }

    @Command(name = "delete", description = "Delete a virtual network and its subnets (refused while private endpoints are in it).")
    int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
        new ResourceOperations(session()).delete(NetworkCommands.path(session(), group, "virtualNetworks", name), false, "deleting virtual network " + name);
        return 0;
    }

    @Command(name = "subnet", description = "Manage the subnets of a virtual network.")
    static final class SubnetCommands implements Runnable {
        @ParentCommand
        VnetCommands parent;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(parent.session().out());
        }

        @Command(name = "create", description = "Create a subnet.")
        int create(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--vnet-name", required = true) String vnet,
                @Option(names = {"-g", "--resource-group"}) String group,
                @Option(names = {"--address-prefix", "--address-prefixes"}, required = true, description = "e.g. 127.42.1.0/24") String prefix,
                @Option(names = "--private-endpoint-network-policies", description = "Disabled (default: private endpoints allowed) or Enabled.")
                        String policies) {
            return write(name, vnet, group, prefix, policies, "creating");
        }

        @Command(name = "update", description = "Update a subnet's address prefix or private endpoint network policies.")
        int update(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--vnet-name", required = true) String vnet,
                @Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"--address-prefix", "--address-prefixes"}) String prefix,
                @Option(names = "--private-endpoint-network-policies", description = "Disabled or Enabled.") String policies) {
            parent.session().connection().management().get(path(vnet, group, name));
            return write(name, vnet, group, prefix, policies, "updating");
        }

        private int write(String name, String vnet, String group, String prefix, String policies, String verb) {
            Session session = parent.session();
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            ObjectNode properties = body.putObject("properties");
            if (prefix != null) {
                properties.put("addressPrefix", prefix);
            }
            if (policies != null) {
                properties.put("privateEndpointNetworkPolicies", policies);
            }
            new ResourceOperations(session).put(path(vnet, group, name), body, false, verb + " subnet " + name).ifPresent(session.output()::print);
            return 0;
        }

        @Command(name = "show", description = "Show a subnet.")
        int show(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--vnet-name", required = true) String vnet,
                @Option(names = {"-g", "--resource-group"}) String group) {
            parent.session().output().print(parent.session().connection().management().get(path(vnet, group, name)));
            return 0;
        }

        @Command(name = "list", description = "List the subnets of a virtual network.")
        int list(@Option(names = "--vnet-name", required = true) String vnet, @Option(names = {"-g", "--resource-group"}) String group) {
            List<JsonNode> subnets = parent.session().connection().management().list(path(vnet, group, null));
            parent.session().output().print(JsonNodeFactory.instance.arrayNode().addAll(subnets));
            return 0;
        }

        @Command(name = "delete", description = "Delete a subnet (refused while private endpoints are in it).")
        int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--vnet-name", required = true) String vnet,
                @Option(names = {"-g", "--resource-group"}) String group) {
            new ResourceOperations(parent.session()).delete(path(vnet, group, name), false, "deleting subnet " + name);
            return 0;
        }

        private String path(String vnet, String group, String name) {
            return NetworkCommands.path(parent.session(), group, "virtualNetworks", vnet) + "/subnets" + (name == null ? "" : "/" + name);
        }
    }
}
