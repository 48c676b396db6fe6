package enclave.cli.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.console.OutputFormat;
import enclave.cli.http.AccessToken;
import enclave.cli.http.ApiResponse;
import enclave.cli.http.HttpTransport;
import enclave.cli.http.ManagementClient;
import enclave.cli.http.ServerConnection;
import enclave.cli.http.TokenSource;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.cli.session.WorkspaceOptions;
import enclave.cli.session.WorkspaceScope;
import enclave.cli.yaml.KeyValues;
import enclave.cli.yaml.Overrides;
import enclave.cli.yaml.YamlDocuments;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave ml online-endpoint ...}, as {@code az ml online-endpoint}. */
@Command(name = "online-endpoint", description = "Manage online endpoints: create, update, call and watch them.")
public final class OnlineEndpointCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public OnlineEndpointCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create an endpoint from endpoint.yml (or just a name).")
    int create(
            @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The endpoint YAML file.") Path file,
            @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Endpoint name (overrides the file's).") String name,
            @Option(names = "--auth-mode", paramLabel = "MODE", description = "key, aml_token or aad_token (overrides the file's).") String authMode,
            @Option(names = "--set", paramLabel = "FIELD=VALUE", description = "Set a YAML field, e.g. --set auth_mode=aml_token.") List<String> sets,
            @Option(names = "--no-wait", description = "Return once the request is accepted.") boolean noWait,
            @Mixin WorkspaceOptions scope) {
        if (file == null && name == null) {
            throw CliException.usage("pass -f endpoint.yml or -n NAME");
        }
        Endpoint endpoint = definition(Optional.ofNullable(file), name, authMode, Overrides.parse(sets));
        WorkspaceScope workspace = session.workspace(scope);
        JsonNode ws = session.connection().management().get(workspace.path());
        String location = ws.path("location").asText(session.connection().info().locationOrDefault());
        new ResourceOperations(session).put(workspace.endpoint(endpoint.name()), EndpointMapping.toArm(endpoint, location), noWait,
                "creating endpoint " + endpoint.name()).ifPresent(session.output()::print);
        return 0;
    }

    /** The endpoint a create command describes: the file, then -n and --auth-mode, then --set. Nothing is sent. */
    public static Endpoint definition(Optional<Path> file, String name, String authMode, List<Overrides.Assignment> sets) {
        EndpointYaml yaml = YamlDocuments.compose(JsonNodeFactory.instance.objectNode(), file, tree -> {
            if (name != null) {
                tree.put("name", name);
            }
            if (authMode != null) {
                tree.put("auth_mode", authMode);
            }
        }, sets, EndpointYaml.class, "endpoint");
        return EndpointMapping.validate(yaml);
    }

    @Command(name = "show", description = "Show an endpoint.")
    int show(@Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name, @Mixin WorkspaceOptions scope) {
        WorkspaceScope workspace = session.workspace(scope);
        JsonNode shown = session.connection().management().get(workspace.endpoint(name));
        if (shown.path("properties") instanceof com.fasterxml.jackson.databind.node.ObjectNode properties) {
            metricsLink(workspace, name).ifPresent(link -> properties.set("metricsQuery", link));
        }
        session.output().print(shown);
        return 0;
    }

    /** Where the endpoint's metrics are, when its workspace is linked to a monitor account the caller can see. */
    private Optional<JsonNode> metricsLink(WorkspaceScope workspace, String name) {
        try {
            return enclave.cli.monitor.EndpointMetrics.find(session, workspace, name).map(metrics -> {
                com.fasterxml.jackson.databind.node.ObjectNode link = JsonNodeFactory.instance.objectNode();
                link.put("monitorAccount", metrics.account().path("id").asText());
                link.put("prometheusQueryEndpoint", metrics.queryEndpoint());
                link.put("prometheusQueryEndpointByPath", metrics.queryEndpointByPath());
                link.put("requestsPerSecond", metrics.requestsPerSecond());
                link.put("latencyP99Seconds", metrics.latencyQuantile(0.99));
                link.put("chart", "enclave monitor metrics -n " + name + " -g " + workspace.group() + " -w " + workspace.workspace());
                return link;
            });
        } catch (CliException e) {
            // Listing monitor accounts needs read access on them; without it the endpoint is shown as it is.
            session.debugLine("no metrics link: " + e.getMessage());
            return Optional.empty();
        }
    }

    @Command(name = "list", description = "List the endpoints of a workspace.")
    int list(@Mixin WorkspaceOptions scope) {
        ManagementClient client = session.connection().management();
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(client.list(session.workspace(scope).endpoints())));
        return 0;
    }

    @Command(name = "update", description = "Update an endpoint: from a file, traffic weights, or --set on what exists.")
    int update(
            @Option(names = {"-n", "--name"}, paramLabel = "NAME") String name,
            @Option(names = {"-f", "--file"}, paramLabel = "FILE") Path file,
            @Option(names = {"-t", "--traffic"}, arity = "1..*", paramLabel = "WEIGHTS",
                    description = "Live traffic, exactly: \"blue=90 green=10\".") List<String> traffic,
            @Option(names = "--mirror-traffic", arity = "1..*", paramLabel = "WEIGHTS",
                    description = "Mirrored traffic: \"green=10\" (at most 50).") List<String> mirrorTraffic,
            @Option(names = "--set", paramLabel = "FIELD=VALUE") List<String> sets,
            @Option(names = "--no-wait", description = "Return once the request is accepted.") boolean noWait,
            @Mixin WorkspaceOptions scope) {
        List<Overrides.Assignment> assignments = Overrides.parse(sets);
        Optional<Map<String, Integer>> weights = Optional.ofNullable(traffic).map(t -> KeyValues.traffic("--traffic", t));
        Optional<Map<String, Integer>> mirror = Optional.ofNullable(mirrorTraffic).map(t -> KeyValues.traffic("--mirror-traffic", t));
        String endpointName = name != null ? name : nameInFile(file);
        update(session, session.workspace(scope), endpointName, Optional.ofNullable(file), tree -> {
            weights.ifPresent(w -> tree.set("traffic", weightsNode(w)));
            mirror.ifPresent(m -> tree.set("mirror_traffic", weightsNode(m)));
        }, assignments, noWait).ifPresent(session.output()::print);
        return 0;
    }

    /**
     * Reads the endpoint, applies the file, the flags and {@code --set} in YAML names, validates, and PUTs the
     * whole endpoint back. Used by {@code update} and by {@code online-deployment create --all-traffic}.
     */
    public static Optional<JsonNode> update(Session session, WorkspaceScope workspace, String name, Optional<Path> file,
                                            Consumer<ObjectNode> flags, List<Overrides.Assignment> sets, boolean noWait) {
        EndpointMapping.online("endpoint", name);
        file.ifPresent(f -> YamlDocuments.read(f, EndpointYaml.class, "endpoint"));
        String path = workspace.endpoint(name);
        JsonNode existing = session.connection().management().get(path);
        EndpointYaml yaml = YamlDocuments.compose(EndpointMapping.toYaml(existing), file, tree -> {
            tree.put("name", name);
            flags.accept(tree);
        }, sets, EndpointYaml.class, "endpoint");
        Endpoint endpoint = EndpointMapping.validate(yaml);
        if (!endpoint.name().equals(name)) {
            throw CliException.user("an endpoint cannot be renamed ('" + name + "' to '" + endpoint.name() + "')");
        }
        String location = existing.path("location").asText(session.connection().info().locationOrDefault());
        return new ResourceOperations(session).put(path, EndpointMapping.toArm(endpoint, location), noWait, "updating endpoint " + name);
    }

    @Command(name = "delete", description = "Delete an endpoint and its deployments.")
    int delete(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes,
            @Option(names = "--no-wait", description = "Return once the request is accepted.") boolean noWait,
            @Mixin WorkspaceOptions scope) {
        session.confirm(yes, "Delete endpoint '" + name + "' and all its deployments?");
        new ResourceOperations(session).delete(session.workspace(scope).endpoint(name), noWait, "deleting endpoint " + name);
        return 0;
    }

    @Command(name = "get-credentials", description = "Show the keys or a token to call the endpoint with (by its auth mode).")
    int getCredentials(@Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name, @Mixin WorkspaceOptions scope) {
        WorkspaceScope workspace = session.workspace(scope);
        JsonNode endpoint = session.connection().management().get(workspace.endpoint(name));
        session.output().print(credentials(workspace, endpoint));
        return 0;
    }

    @Command(name = "regenerate-keys", description = "Replace the primary or secondary key; the old one stops working at once.")
    int regenerateKeys(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = "--key-type", required = true, paramLabel = "primary|secondary") String keyType,
            @Option(names = "--no-wait", description = "Return once the request is accepted.") boolean noWait,
            @Mixin WorkspaceOptions scope) {
        String type = EndpointMapping.choice("--key-type", keyType, Map.of("primary", "Primary", "secondary", "Secondary"), "primary");
        WorkspaceScope workspace = session.workspace(scope);
        ApiResponse response = session.connection().management().post(workspace.endpoint(name) + "/regenerateKeys",
                JsonNodeFactory.instance.objectNode().put("keyType", type));
        if (!noWait) {
            new ResourceOperations(session).await(response, "regenerating the " + keyType.toLowerCase(Locale.ROOT) + " key");
        }
        return 0;
    }

    @Command(name = "invoke", description = "Send a request file to the endpoint and print the answer.")
    int invoke(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-r", "--request-file"}, required = true, paramLabel = "FILE") Path requestFile,
            @Option(names = {"-d", "--deployment-name"}, paramLabel = "DEPLOYMENT",
                    description = "Send to this deployment whatever the traffic weights.") String deployment,
            @Mixin WorkspaceOptions scope) {
        byte[] request;
        try {
            request = Files.readAllBytes(requestFile);
        } catch (IOException e) {
            throw CliException.user("cannot read the request file " + requestFile.toAbsolutePath() + ": " + e.getMessage());
        }
        WorkspaceScope workspace = session.workspace(scope);
        ServerConnection connection = session.connection();
        JsonNode endpoint = connection.management().get(workspace.endpoint(name));
        String scoringUri = endpoint.path("properties").path("scoringUri").asText("");
        if (scoringUri.isEmpty()) {
            throw new CliException("EndpointNotReady", "endpoint '" + name + "' has no scoring uri yet (provisioningState "
                    + endpoint.path("properties").path("provisioningState").asText("unknown") + ")");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Authorization", "Bearer " + credential(workspace, endpoint));
        if (deployment != null) {
            headers.put("azureml-model-deployment", deployment);
        }
        ApiResponse response = connection.http().send("POST", URI.create(scoringUri), headers, request);
        if (!response.ok()) {
            throw HttpTransport.error(response);
        }
        session.output().printText(response.text());
        return 0;
    }

    @Command(name = "logs", description = "Show the endpoint's traffic log, newest last.")
    int logs(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-l", "--lines"}, paramLabel = "N", description = "How many of the newest records.") Integer lines,
            @Mixin WorkspaceOptions scope) {
        if (lines != null && lines < 1) {
            throw CliException.usage("--lines must be at least 1");
        }
        String path = session.workspace(scope).endpoint(name) + "/trafficLogs" + (lines == null ? "" : "?top=" + lines);
        JsonNode logs = session.connection().management().get(path);
        session.output(OutputFormat.TABLE).print(logs.has("value") ? logs.get("value") : logs);
        return 0;
    }

    private JsonNode credentials(WorkspaceScope workspace, JsonNode endpoint) {
        String path = workspace.endpoint(endpoint.path("name").asText());
        ManagementClient client = session.connection().management();
        return switch (authMode(endpoint)) {
            case "key" -> client.post(path + "/listKeys", null).body();
            case "amltoken" -> client.post(path + "/token", null).body();
            case "aadtoken" -> {
                AccessToken token = session.connection().tokens().token(TokenSource.ML);
                // az's shape for aad_token: the signed-in principal's token for the ml audience, expiry in epoch seconds
                yield JsonNodeFactory.instance.objectNode()
                        .put("accessToken", token.value())
                        .put("expiryTimeUtc", token.expiresOn().getEpochSecond());
            }
            default -> throw new CliException("UnknownAuthMode", "endpoint auth mode '" + endpoint.path("properties").path("authMode").asText() + "' is not known to this CLI");
        };
    }

    private String credential(WorkspaceScope workspace, JsonNode endpoint) {
        JsonNode credentials = credentials(workspace, endpoint);
        String value = authMode(endpoint).equals("key") ? credentials.path("primaryKey").asText("") : credentials.path("accessToken").asText("");
        if (value.isEmpty()) {
            throw new CliException("CredentialUnavailable", "the server returned no credential for endpoint '" + endpoint.path("name").asText() + "'");
        }
        return value;
    }

    private static String authMode(JsonNode endpoint) {
        return endpoint.path("properties").path("authMode").asText("Key").toLowerCase(Locale.ROOT).replace("_", "");
    }

    private static String nameInFile(Path file) {
        if (file == null) {
            throw CliException.usage("pass -n NAME or -f endpoint.yml");
        }
        EndpointYaml yaml = YamlDocuments.read(file, EndpointYaml.class, "endpoint");
        if (yaml.name() == null) {
            throw CliException.user(file + " has no name: pass -n NAME");
        }
        return yaml.name();
    }

    static ObjectNode weightsNode(Map<String, Integer> weights) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        weights.forEach(node::put);
        return node;
    }
}
