package enclave.cli.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import enclave.cli.console.CliException;
import enclave.cli.network.PrivateEndpointCommands;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.cli.session.WorkspaceOptions;
import enclave.cli.session.WorkspaceScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code enclave ml workspace private-endpoint add|list|delete}, and the {@code --pe-*} options that {@code ml workspace
 * create} shares: a private endpoint to the workspace (group id {@code amlworkspace}) in a subnet of the caller's network.
 */
@Command(name = "private-endpoint", description = "Add, list and delete the private endpoints of a workspace.")
public final class WorkspacePrivateEndpoints implements Runnable {
    static final String GROUP_ID = "amlworkspace";

    @ParentCommand
    WorkspaceCommands parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(parent.session().out());
    }

    /** The {@code --pe-*} options, as in {@code az ml workspace create}. */
    public static final class Options {
        @Option(names = "--pe-name", paramLabel = "NAME", description = "Name of the private endpoint to create for the workspace.")
        String name;

        @Option(names = "--pe-vnet-name", paramLabel = "VNET", description = "The private endpoint's virtual network.")
        String vnet;

        @Option(names = "--pe-subnet-name", paramLabel = "SUBNET", description = "The private endpoint's subnet (default: default).")
        String subnet;

        @Option(names = "--pe-auto-approval", description = "Approve the connection at once if you may (otherwise it waits for the workspace owner).")
        boolean autoApproval;

        @Option(names = "--pe-resource-group", paramLabel = "GROUP", description = "The private endpoint's (and its network's) resource group (default: the workspace's).")
        String group;

        boolean requested() {
            return name != null;
        }

        String subnetPath(Session session, String defaultGroup) {
            if (vnet == null) {
                throw CliException.usage("--pe-vnet-name is required with --pe-name");
            }
            return "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + group(defaultGroup)
                    + "/providers/Microsoft.Network/virtualNetworks/" + vnet + "/subnets/" + (subnet != null ? subnet : "default");
        }

        String group(String defaultGroup) {
            return group != null ? group : defaultGroup;
        }

        String endpointPath(Session session, String defaultGroup) {
            return "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + group(defaultGroup)
                    + "/providers/Microsoft.Network/privateEndpoints/" + name;
        }

        /** Fails before anything is created when the subnet is missing or refuses private endpoints. */
        void checkSubnet(Session session, String defaultGroup) {
            JsonNode subnet = session.connection().management().get(subnetPath(session, defaultGroup));
            if ("Enabled".equalsIgnoreCase(subnet.at("/properties/privateEndpointNetworkPolicies").asText())) {
                throw new CliException("PrivateEndpointNetworkPoliciesEnabled", "subnet '" + subnet.path("name").asText() + "' of virtual network '" + vnet
                        + "' has privateEndpointNetworkPolicies Enabled, so private endpoints cannot be placed in it; disable them with: enclave network vnet "
                        + "subnet update -g " + group(defaultGroup) + " --vnet-name " + vnet + " -n " + subnet.path("name").asText()
                        + " --private-endpoint-network-policies Disabled");
            }
        }

        /** Creates the private endpoint to {@code workspaceId}; the connection is named after the endpoint, as az does. */
        JsonNode create(Session session, String workspaceId, String defaultGroup) {
            JsonNode body = PrivateEndpointCommands.body(null, null, subnetPath(session, defaultGroup), workspaceId, GROUP_ID, name, !autoApproval, null);
            return new ResourceOperations(session).put(endpointPath(session, defaultGroup), body, false, "creating private endpoint " + name).orElseThrow();
        }
    }

    @Command(name = "add", description = "Add a private endpoint to a workspace.")
    int add(@Option(names = {"-n", "--name"}, paramLabel = "WORKSPACE", description = "The workspace (or -w).") String name, @Mixin WorkspaceOptions scope,
            @Mixin Options endpoint) {
        Session session = parent.session();
        if (!endpoint.requested()) {
            throw CliException.usage("--pe-name is required");
        }
        WorkspaceScope workspace = parent.scope(scope, name);
        session.connection().management().get(workspace.path());
        endpoint.checkSubnet(session, workspace.group());
        session.output().print(endpoint.create(session, workspace.path(), workspace.group()));
        return 0;
    }

    @Command(name = "list", description = "List a workspace's private endpoints, and say what its private network still lacks.")
    int list(@Option(names = {"-n", "--name"}, paramLabel = "WORKSPACE", description = "The workspace (or -w).") String name, @Mixin WorkspaceOptions scope) {
        Session session = parent.session();
        JsonNode workspace = session.connection().management().get(parent.scope(scope, name).path());
        ArrayNode endpoints = JsonNodeFactory.instance.arrayNode();
        for (JsonNode connection : workspace.at("/properties/privateEndpointConnections")) {
            String id = connection.at("/properties/privateEndpoint/id").asText();
            endpoints.add(session.connection().management().find(id).orElseGet(() -> connection));
        }
        JsonNode check = workspace.at("/properties/privateNetworkCheck");
        if (!check.path("satisfied").asBoolean(true)) {
            session.err().println("WARNING: " + check.path("message").asText());
        }
        session.output().print(endpoints);
        return 0;
    }

    @Command(name = "delete", description = "Delete one of a workspace's private endpoints (public network access stays as it is).")
    int delete(@Option(names = {"-n", "--name"}, paramLabel = "WORKSPACE", description = "The workspace (or -w).") String name, @Mixin WorkspaceOptions scope,
            @Option(names = "--pe-name", required = true, paramLabel = "NAME") String peName,
            @Option(names = "--pe-resource-group", paramLabel = "GROUP") String peGroup) {
        Session session = parent.session();
        WorkspaceScope workspace = parent.scope(scope, name);
        String path = "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + (peGroup != null ? peGroup : workspace.group())
                + "/providers/Microsoft.Network/privateEndpoints/" + peName;
        JsonNode endpoint = session.connection().management().get(path);
        String target = endpoint.at("/properties/privateLinkServiceConnections/0/properties/privateLinkServiceId").asText(
                endpoint.at("/properties/manualPrivateLinkServiceConnections/0/properties/privateLinkServiceId").asText());
        if (!target.equalsIgnoreCase(workspace.path())) {
            throw CliException.user("private endpoint '" + peName + "' does not connect to workspace '" + workspace.workspace() + "' (it connects to " + target
                    + "); delete it with: enclave network private-endpoint delete -n " + peName);
        }
        new ResourceOperations(session).delete(path, false, "deleting private endpoint " + peName);
        return 0;
    }
}
