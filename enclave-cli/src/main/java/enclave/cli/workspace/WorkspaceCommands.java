package enclave.cli.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.endpoint.EndpointMapping;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.cli.session.WorkspaceOptions;
import enclave.cli.session.WorkspaceScope;
import enclave.cli.yaml.KeyValues;
import enclave.cli.yaml.Overrides;
import enclave.cli.yaml.YamlDocuments;
import enclave.core.EnclaveException;
import enclave.core.Names;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave ml workspace ...}, as {@code az ml workspace}. */
@Command(name = "workspace", description = "Manage Azure ML workspaces.", subcommands = WorkspacePrivateEndpoints.class)
public final class WorkspaceCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public WorkspaceCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    Session session() {
        return session;
    }

    @Command(name = "create", description = "Create a workspace (with its default storage account).")
    int create(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Mixin WorkspaceOptions scope,
            @Option(names = {"-l", "--location"}, paramLabel = "LOCATION", description = "Location (default: the server's).") String location,
            @Option(names = "--description", paramLabel = "TEXT") String description,
            @Option(names = "--display-name", paramLabel = "TEXT") String displayName,
            @Option(names = "--tags", arity = "1..*", paramLabel = "KEY=VALUE") List<String> tags,
            @Option(names = "--public-network-access", paramLabel = "enabled|disabled") String publicNetworkAccess,
            @Mixin WorkspacePrivateEndpoints.Options privateEndpoint) {
        WorkspaceScope workspace = scope(scope, name);
        if (privateEndpoint.requested()) {
            // Fail before the workspace exists: a create that fails leaves nothing behind.
            privateEndpoint.checkSubnet(session, workspace.group());
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("location", location != null ? location : session.connection().info().locationOrDefault());
        ObjectNode tagNode = body.putObject("tags");
        KeyValues.tags(tags).forEach(tagNode::put);
        ObjectNode properties = body.putObject("properties");
        if (description != null) {
            properties.put("description", description);
        }
        properties.put("friendlyName", displayName != null ? displayName : name);
        if (publicNetworkAccess != null) {
            properties.put("publicNetworkAccess", networkAccess(publicNetworkAccess));
        } else if (privateEndpoint.requested()) {
            // Azure's rule: a workspace created with a private endpoint is reachable only through it until someone opens it up.
            properties.put("publicNetworkAccess", "Disabled");
        }
        ResourceOperations operations = new ResourceOperations(session);
        java.util.Optional<JsonNode> created = operations.put(workspace.path(), body, false, "creating workspace " + name);
        if (privateEndpoint.requested()) {
            try {
                privateEndpoint.create(session, workspace.path(), workspace.group());
            } catch (RuntimeException e) {
                operations.delete(workspace.path(), false, "removing workspace " + name + " again: its private endpoint could not be created");
                throw e;
            }
            created = java.util.Optional.of(session.connection().management().get(workspace.path()));
        }
        created.ifPresent(session.output()::print);
        return 0;
    }

    @Command(name = "show", description = "Show a workspace.")
    int show(@Option(names = {"-n", "--name"}, paramLabel = "NAME") String name, @Mixin WorkspaceOptions scope) {
        session.output().print(session.connection().management().get(scope(scope, name).path()));
        return 0;
    }

    @Command(name = "list", description = "List the workspaces of a resource group.")
    int list(@Mixin WorkspaceOptions scope) {
        String path = WorkspaceScope.workspaces(session.connection().subscription(), session.resourceGroup(scope));
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(session.connection().management().list(path)));
        return 0;
    }

    @Command(name = "update", description = "Update a workspace's description, display name, tags or public network access.")
    int update(
            @Option(names = {"-n", "--name"}, paramLabel = "NAME") String name,
            @Mixin WorkspaceOptions scope,
            @Option(names = "--description", paramLabel = "TEXT") String description,
            @Option(names = "--display-name", paramLabel = "TEXT") String displayName,
            @Option(names = "--tags", arity = "1..*", paramLabel = "KEY=VALUE") List<String> tags,
            @Option(names = "--public-network-access", paramLabel = "enabled|disabled") String publicNetworkAccess,
            @Option(names = "--allow-public-access", paramLabel = "true|false", description = "The older spelling of --public-network-access; when both are given, the last one wins.")
                    String allowPublicAccess,
            @Option(names = "--set", paramLabel = "FIELD=VALUE", description = "Set a field by its YAML name, e.g. --set description=x.") List<String> sets) {
        publicNetworkAccess = lastPublicAccess(publicNetworkAccess, allowPublicAccess);
        List<Overrides.Assignment> assignments = Overrides.parse(sets);
        WorkspaceScope workspace = scope(scope, name);
        JsonNode existing = session.connection().management().get(workspace.path());
        ObjectNode tree = toYaml(existing);
        if (description != null) {
            tree.put("description", description);
        }
        if (displayName != null) {
            tree.put("display_name", displayName);
        }
        if (tags != null) {
            ObjectNode tagNode = tree.putObject("tags");
            KeyValues.tags(tags).forEach(tagNode::put);
        }
        if (publicNetworkAccess != null) {
            tree.put("public_network_access", publicNetworkAccess);
        }
        Overrides.apply(tree, assignments);
        WorkspaceYaml yaml = YamlDocuments.convert(tree, WorkspaceYaml.class, "--set", "workspace");
        if (yaml.name() != null && !yaml.name().equals(existing.path("name").asText())) {
            throw CliException.user("a workspace cannot be renamed");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode tagNode = body.putObject("tags");
        if (yaml.tags() != null) {
            yaml.tags().forEach(tagNode::put);
        }
        ObjectNode properties = body.putObject("properties");
        if (yaml.description() != null) {
            properties.put("description", yaml.description());
        }
        if (yaml.displayName() != null) {
            properties.put("friendlyName", yaml.displayName());
        }
        if (yaml.publicNetworkAccess() != null) {
            properties.put("publicNetworkAccess", networkAccess(yaml.publicNetworkAccess()));
        }
        new ResourceOperations(session).patch(workspace.path(), body, false, "updating workspace " + workspace.workspace())
                .ifPresent(session.output()::print);
        return 0;
    }

    @Command(name = "delete", description = "Delete a workspace.")
    int delete(
            @Option(names = {"-n", "--name"}, paramLabel = "NAME") String name,
            @Mixin WorkspaceOptions scope,
            @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes,
            @Option(names = "--no-wait", description = "Return without waiting for the deletion to finish.") boolean noWait) {
        session.confirm(yes, "Delete workspace '" + (name != null ? name : "(the default workspace)") + "'?");
        WorkspaceScope workspace = scope(scope, name);
        new ResourceOperations(session).delete(workspace.path(), noWait, "deleting workspace " + workspace.workspace());
        return 0;
    }

    /** Of {@code --public-network-access} and {@code --allow-public-access}, the one given last on the command line (Azure's documented rule). */
    private String lastPublicAccess(String publicNetworkAccess, String allowPublicAccess) {
        if (allowPublicAccess == null) {
            return publicNetworkAccess;
        }
        String allowed = switch (allowPublicAccess.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> "enabled";
            case "false" -> "disabled";
            default -> throw CliException.usage("--allow-public-access takes true or false, not '" + allowPublicAccess + "'");
        };
        if (publicNetworkAccess == null) {
            return allowed;
        }
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return lastIndexOf(args, "--allow-public-access") > lastIndexOf(args, "--public-network-access") ? allowed : publicNetworkAccess;
    }

    private static int lastIndexOf(List<String> args, String option) {
        int last = -1;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(option) || args.get(i).startsWith(option + "=")) {
                last = i;
            }
        }
        return last;
    }

    /** {@code -n} names the workspace here (az's spelling); {@code -w} and the configured default also work. */
    WorkspaceScope scope(WorkspaceOptions options, String name) {
        if (name != null) {
            try {
                Names.workspaceName(name);
            } catch (EnclaveException e) {
                throw CliException.from(e);
            }
            return new WorkspaceScope(session.connection().subscription(), session.resourceGroup(options), name);
        }
        return session.workspace(options);
    }

    static ObjectNode toYaml(JsonNode arm) {
        ObjectNode yaml = JsonNodeFactory.instance.objectNode();
        JsonNode properties = arm.path("properties");
        yaml.put("name", arm.path("name").asText());
        if (arm.hasNonNull("location")) {
            yaml.put("location", arm.get("location").asText());
        }
        if (properties.hasNonNull("description")) {
            yaml.put("description", properties.get("description").asText());
        }
        if (properties.hasNonNull("friendlyName")) {
            yaml.put("display_name", properties.get("friendlyName").asText());
        }
        if (arm.path("tags").isObject()) {
            yaml.set("tags", arm.get("tags").deepCopy());
        }
        if (properties.hasNonNull("publicNetworkAccess")) {
            yaml.put("public_network_access", properties.get("publicNetworkAccess").asText().toLowerCase(Locale.ROOT));
        }
        return yaml;
    }

    private static String networkAccess(String value) {
        return EndpointMapping.choice("public_network_access", value, Map.of("enabled", "Enabled", "disabled", "Disabled"), "enabled");
    }
}
