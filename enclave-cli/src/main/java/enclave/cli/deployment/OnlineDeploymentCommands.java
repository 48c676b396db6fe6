package enclave.cli.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.asset.WorkspaceAssets;
import enclave.cli.console.CliException;
import enclave.cli.console.Progress;
import enclave.cli.endpoint.EndpointMapping;
import enclave.cli.endpoint.OnlineEndpointCommands;
import enclave.cli.http.ManagementClient;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.cli.session.WorkspaceOptions;
import enclave.cli.session.WorkspaceScope;
import enclave.cli.yaml.Overrides;
import enclave.cli.yaml.YamlDocuments;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave ml online-deployment ...}, as {@code az ml online-deployment}. */
@Command(name = "online-deployment", description = "Manage online deployments: the model, code and environment behind an endpoint.")
public final class OnlineDeploymentCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public OnlineDeploymentCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create a deployment from deployment.yml: uploads and registers local model and code, then deploys.")
    int create(
            @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The deployment YAML file.") Path file,
            @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Deployment name (overrides the file's).") String name,
            @Option(names = {"-e", "--endpoint-name"}, paramLabel = "ENDPOINT", description = "Endpoint (overrides the file's endpoint_name).") String endpointName,
            @Option(names = "--all-traffic", description = "Once it succeeds, send all of the endpoint's traffic to it.") boolean allTraffic,
            @Option(names = "--set", paramLabel = "FIELD=VALUE", description = "Set a YAML field, e.g. --set instance_count=2.") List<String> sets,
            @Option(names = "--no-wait", description = "Return once the request is accepted.") boolean noWait,
            @Mixin WorkspaceOptions scope) {
        if (allTraffic && noWait) {
            throw CliException.usage("--all-traffic needs the deployment to finish first: drop --no-wait");
        }
        Deployment deployment = definition(Optional.empty(), file, name, endpointName, Overrides.parse(sets), session.workingDirectory());
        WorkspaceScope workspace = session.workspace(scope);
        JsonNode endpoint = requireEndpoint(workspace, deployment.endpointName());
        JsonNode created = deploy(workspace, deployment, endpoint.path("location").asText(session.connection().info().locationOrDefault()),
                noWait, "creating deployment " + deployment.name()).orElse(null);
        if (allTraffic) {
            OnlineEndpointCommands.update(session, workspace, deployment.endpointName(), Optional.empty(),
                    tree -> tree.set("traffic", JsonNodeFactory.instance.objectNode().put(deployment.name(), 100)), List.of(), false);
            session.err().println("all traffic of endpoint " + deployment.endpointName() + " goes to " + deployment.name());
        }
        if (created != null) {
            session.output().print(created);
        }
        return 0;
    }

    /**
     * The deployment a file describes, layered on {@code base} (an existing deployment in YAML names, or empty),
     * then -n / -e, then {@code --set}; local paths resolve against the file's folder. Nothing is sent.
     */
    public static Deployment definition(Optional<ObjectNode> base, Path file, String name, String endpointName,
                                        List<Overrides.Assignment> sets, Path workingDirectory) {
        Optional<Path> source = Optional.ofNullable(file);
        DeploymentYaml yaml = YamlDocuments.compose(base.orElseGet(JsonNodeFactory.instance::objectNode), source, tree -> {
            if (name != null) {
                tree.put("name", name);
            }
            if (endpointName != null) {
                tree.put("endpoint_name", endpointName);
            }
        }, sets, DeploymentYaml.class, "deployment");
        Path baseDir = source.map(f -> f.toAbsolutePath().getParent()).orElse(workingDirectory);
        return DeploymentMapping.validate(yaml, baseDir);
    }

    @Command(name = "show", description = "Show a deployment.")
    int show(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-e", "--endpoint-name"}, required = true, paramLabel = "ENDPOINT") String endpointName,
            @Mixin WorkspaceOptions scope) {
        session.output().print(session.connection().management().get(session.workspace(scope).deployment(endpointName, name)));
        return 0;
    }

    @Command(name = "list", description = "List the deployments of an endpoint.")
    int list(
            @Option(names = {"-e", "--endpoint-name"}, required = true, paramLabel = "ENDPOINT") String endpointName,
            @Mixin WorkspaceOptions scope) {
        ManagementClient client = session.connection().management();
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(client.list(session.workspace(scope).deployments(endpointName))));
        return 0;
    }

    @Command(name = "update", description = "Update a deployment from a file, or --set fields of the deployment as it is.")
    int update(
            @Option(names = {"-f", "--file"}, paramLabel = "FILE") Path file,
            @Option(names = {"-n", "--name"}, paramLabel = "NAME") String name,
            @Option(names = {"-e", "--endpoint-name"}, paramLabel = "ENDPOINT") String endpointName,
            @Option(names = "--set", paramLabel = "FIELD=VALUE") List<String> sets,
            @Option(names = "--no-wait", description = "Return once the request is accepted.") boolean noWait,
            @Mixin WorkspaceOptions scope) {
        List<Overrides.Assignment> assignments = Overrides.parse(sets);
        String deploymentName = name;
        String endpoint = endpointName;
        if (file != null) {
            DeploymentYaml inFile = YamlDocuments.read(file, DeploymentYaml.class, "deployment");
            deploymentName = deploymentName != null ? deploymentName : inFile.name();
            endpoint = endpoint != null ? endpoint : inFile.endpointName();
        }
        if (deploymentName == null || endpoint == null) {
            throw CliException.usage("name the deployment: -n NAME -e ENDPOINT (or a file with name and endpoint_name)");
        }
        if (file == null && assignments.isEmpty()) {
            throw CliException.usage("nothing to update: pass -f deployment.yml or --set FIELD=VALUE");
        }
        WorkspaceScope workspace = session.workspace(scope);
        JsonNode existing = session.connection().management().get(workspace.deployment(endpoint, deploymentName));
        Deployment deployment = definition(Optional.of(DeploymentMapping.toYaml(existing, endpoint)), file, deploymentName, endpoint,
                assignments, session.workingDirectory());
        if (!deployment.name().equals(deploymentName) || !deployment.endpointName().equals(endpoint)) {
            throw CliException.user("a deployment cannot be renamed or moved to another endpoint");
        }
        deploy(workspace, deployment, existing.path("location").asText(session.connection().info().locationOrDefault()), noWait,
                "updating deployment " + deploymentName).ifPresent(session.output()::print);
        return 0;
    }

    @Command(name = "delete", description = "Delete a deployment (it must take no traffic).")
    int delete(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-e", "--endpoint-name"}, required = true, paramLabel = "ENDPOINT") String endpointName,
            @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes,
            @Option(names = "--no-wait", description = "Return once the request is accepted.") boolean noWait,
            @Mixin WorkspaceOptions scope) {
        session.confirm(yes, "Delete deployment '" + name + "' of endpoint '" + endpointName + "'?");
        new ResourceOperations(session).delete(session.workspace(scope).deployment(endpointName, name), noWait, "deleting deployment " + name);
        return 0;
    }

    @Command(name = "get-logs", description = "Show the console log of a deployment's container.")
    int getLogs(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-e", "--endpoint-name"}, required = true, paramLabel = "ENDPOINT") String endpointName,
            @Option(names = {"-l", "--lines"}, paramLabel = "N", description = "How many of the last lines.") Integer lines,
            @Option(names = {"-c", "--container"}, paramLabel = "CONTAINER", description = "inference-server (default) or storage-initializer.") String container,
            @Mixin WorkspaceOptions scope) {
        if (lines != null && lines < 1) {
            throw CliException.usage("--lines must be at least 1");
        }
        String containerType = EndpointMapping.choice("--container", container,
                Map.of("inference-server", "InferenceServer", "storage-initializer", "StorageInitializer"), "inference-server");
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("containerType", containerType);
        if (lines != null) {
            request.put("tail", lines);
        }
        JsonNode logs = session.connection().management()
                .post(session.workspace(scope).deployment(endpointName, name) + "/getLogs", request).body();
        if (session.structuredOutputRequested()) {
            session.output().print(logs);
        } else {
            session.output().printText(logs.path("content").asText(""));
        }
        return 0;
    }

    private JsonNode requireEndpoint(WorkspaceScope workspace, String endpointName) {
        return session.connection().management().find(workspace.endpoint(endpointName)).orElseThrow(() ->
                new CliException("EndpointNotFound", "endpoint '" + endpointName + "' does not exist in workspace '" + workspace.workspace()
                        + "': create it first with enclave ml online-endpoint create -n " + endpointName));
    }

    private Optional<JsonNode> deploy(WorkspaceScope workspace, Deployment deployment, String location, boolean noWait, String stage) {
        ObjectNode body;
        try (Progress progress = session.progress()) {
            body = DeploymentMapping.toArm(deployment, new WorkspaceAssets(session.connection(), workspace, progress), location);
        }
        return new ResourceOperations(session).put(workspace.deployment(deployment.endpointName(), deployment.name()), body, noWait, stage);
    }
}
