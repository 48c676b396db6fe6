package enclave.cli.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code enclave monitor account ...}, as {@code az monitor account}: Azure Monitor workspaces
 * ({@code Microsoft.Monitor/accounts}), each with its own Prometheus, and their links to ML workspaces.
 */
@Command(name = "account", description = "Monitor workspaces (Microsoft.Monitor/accounts): Prometheus query endpoints for endpoint metrics.")
public final class MonitorAccountCommands implements Runnable {
    static final String PROVIDER = "/providers/Microsoft.Monitor/accounts";
    private final Session session;

    @Spec
    CommandSpec spec;

    public MonitorAccountCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create (or update) a monitor workspace.")
    int create(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = {"-l", "--location"}) String location,
            @Option(names = "--public-network-access", description = "Enabled (default) or Disabled.") String publicNetworkAccess) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("location", location != null ? location : session.connection().info().locationOrDefault());
        if (publicNetworkAccess != null) {
            body.putObject("properties").put("publicNetworkAccess", publicNetworkAccess);
        }
        new ResourceOperations(session).put(path(group, name), body, false, "creating monitor account " + name).ifPresent(session.output()::print);
        return 0;
    }

    @Command(name = "update", description = "Change a monitor workspace's public network access.")
    int update(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = "--public-network-access", required = true, description = "Enabled or Disabled.") String publicNetworkAccess) {
        JsonNode existing = session.connection().management().get(path(group, name));
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("location", existing.path("location").asText());
        body.set("tags", existing.path("tags"));
        body.putObject("properties").put("publicNetworkAccess", publicNetworkAccess);
        session.output().print(session.connection().management().put(path(group, name), body).body());
        return 0;
    }

    @Command(name = "show", description = "Show a monitor workspace (its query endpoint is properties.metrics.prometheusQueryEndpoint).")
    int show(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
        session.output().print(session.connection().management().get(path(group, name)));
        return 0;
    }

    @Command(name = "list", description = "List the monitor workspaces of a resource group (or of the subscription without -g and defaults).")
    int list(@Option(names = {"-g", "--resource-group"}) String group) {
        String path = group != null || session.config().get(enclave.cli.session.CliConfig.GROUP).isPresent()
                ? "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + session.resourceGroup(group) + PROVIDER
                : "/subscriptions/" + session.connection().subscription() + PROVIDER;
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(session.connection().management().list(path)));
        return 0;
    }

    @Command(name = "delete", description = "Delete a monitor workspace, its Prometheus and all its stored metrics.")
    int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = {"-y", "--yes"}) boolean yes) {
        session.confirm(yes, "Delete monitor account '" + name + "' and all its metrics?");
        new ResourceOperations(session).delete(path(group, name), false, "deleting monitor account " + name);
        return 0;
    }

    @Command(name = "link", description = "Send an ML workspace's endpoint metrics to this monitor workspace (a workspace links to one account).")
    int link(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = "--workspace", required = true, description = "ML workspace name (in --workspace-group, default -g) or ARM id.") String workspace,
            @Option(names = "--workspace-group", description = "Resource group of --workspace when it is a name (default: -g).") String workspaceGroup) {
        return post(group, name, "linkWorkspace", workspaceId(workspace, Optional.ofNullable(workspaceGroup).orElse(group)));
    }

    @Command(name = "unlink", description = "Stop sending an ML workspace's endpoint metrics to this monitor workspace.")
    int unlink(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
            @Option(names = "--workspace", required = true, description = "ML workspace name (in --workspace-group, default -g) or ARM id.") String workspace,
            @Option(names = "--workspace-group", description = "Resource group of --workspace when it is a name (default: -g).") String workspaceGroup) {
        return post(group, name, "unlinkWorkspace", workspaceId(workspace, Optional.ofNullable(workspaceGroup).orElse(group)));
    }

    private int post(String group, String name, String action, String workspaceId) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("workspaceId", workspaceId);
        session.output().print(session.connection().management().post(path(group, name) + "/" + action, body).body());
        return 0;
    }

    private String workspaceId(String workspace, String group) {
        if (workspace.toLowerCase(Locale.ROOT).startsWith("/subscriptions/")) {
            return workspace;
        }
        if (workspace.contains("/")) {
            throw CliException.user("--workspace '" + workspace + "' is neither a workspace name nor an ARM id (/subscriptions/...)");
        }
        return "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + session.resourceGroup(group)
                + "/providers/Microsoft.MachineLearningServices/workspaces/" + workspace;
    }

    private String path(String group, String name) {
        return "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + session.resourceGroup(group) + PROVIDER + "/" + name;
    }
}
