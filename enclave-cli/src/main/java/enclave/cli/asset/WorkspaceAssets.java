package enclave.cli.asset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.console.Progress;
import enclave.cli.http.ApiResponse;
import enclave.cli.http.BlobStore;
import enclave.cli.http.ManagementClient;
import enclave.cli.http.ServerConnection;
import enclave.cli.session.WorkspaceScope;
import enclave.core.EnclaveException;
import enclave.core.Names;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Resolves assets against a workspace on the server: local files are uploaded to the workspace's default
 * storage ({@code azureml-blobstore/LocalUpload/<hash>/...}) and registered as the next version, unless the
 * latest version already points at the same content; references are checked to exist.
 */
public final class WorkspaceAssets implements AssetResolver {
    public static final String CONTAINER = "azureml-blobstore";

    private final ServerConnection connection;
    private final ManagementClient client;
    private final WorkspaceScope workspace;
    private final Progress progress;
    private BlobStore blobs;

    public WorkspaceAssets(ServerConnection connection, WorkspaceScope workspace, Progress progress) {
        this.connection = connection;
        this.client = connection.management();
        this.workspace = workspace;
        this.progress = progress;
    }

    @Override
    public String model(ModelSource model, String defaultName) {
        return switch (model) {
            case ModelSource.Registered registered -> existing("models", "model", registered.reference(),
                    "upload it with model.path in the deployment file or register it first");
            case ModelSource.Local local -> {
                LocalContent content = LocalContent.scan(local.path());
                String name = assetName("model", local.name().orElse(defaultName));
                String uri = content.uri();
                ObjectNode properties = JsonNodeFactory.instance.objectNode();
                properties.put("modelUri", uri);
                properties.put("modelType", local.type());
                local.description().ifPresent(description -> properties.put("description", description));
                if (!local.tags().isEmpty()) {
                    properties.set("tags", tags(local.tags()));
                }
                yield register("models", "model", name, local.version(), properties,
                        version -> uri.equals(version.path("properties").path("modelUri").asText()), Optional.of(content));
            }
        };
    }

    @Override
    public String code(CodeSource code, String defaultName) {
        return switch (code) {
            case CodeSource.Registered registered -> existing("codes", "code", registered.reference(),
                    "point code_configuration.code at a local folder instead");
            case CodeSource.Local local -> {
                LocalContent content = LocalContent.scan(local.directory());
                String uri = content.uri();
                ObjectNode properties = JsonNodeFactory.instance.objectNode().put("codeUri", uri);
                yield register("codes", "code", assetName("code", defaultName), Optional.empty(), properties,
                        version -> uri.equals(version.path("properties").path("codeUri").asText()), Optional.of(content));
            }
        };
    }

    @Override
    public String environment(EnvironmentSource environment, String defaultName) {
        return switch (environment) {
            case EnvironmentSource.Registered registered -> existing("environments", "environment", registered.reference(),
                    "Azure ML's curated environments are not available in Enclave: define the environment in the file with conda_file and image");
            case EnvironmentSource.Inline inline -> {
                ObjectNode properties = JsonNodeFactory.instance.objectNode();
                inline.condaFile().ifPresent(conda -> properties.put("condaFile", conda));
                properties.put("image", inline.image());
                inline.inferenceConfig().ifPresent(config -> properties.set("inferenceConfig", config));
                inline.description().ifPresent(description -> properties.put("description", description));
                if (!inline.tags().isEmpty()) {
                    properties.set("tags", tags(inline.tags()));
                }
                Predicate<JsonNode> same = version -> {
                    JsonNode existing = version.path("properties");
                    return Objects.equals(inline.condaFile().orElse(null), text(existing.get("condaFile")))
                            && inline.image().equals(existing.path("image").asText())
                            && inline.inferenceConfig().map(config -> config.equals(existing.get("inferenceConfig")))
                                    .orElse(!existing.hasNonNull("inferenceConfig"));
                };
                yield register("environments", "environment", assetName("environment", inline.name().orElse(defaultName)),
                        inline.version(), properties, same, Optional.empty());
            }
        };
    }

    private String register(String collection, String kind, String name, Optional<String> explicitVersion, ObjectNode properties,
                            Predicate<JsonNode> sameContent, Optional<LocalContent> upload) {
        String path = workspace.asset(collection, name) + "/versions";
        String version;
        boolean reuse;
        if (explicitVersion.isPresent()) {
            version = explicitVersion.get();
            reuse = client.find(path + "/" + version).filter(sameContent).isPresent();
        } else {
            List<JsonNode> versions = versions(path);
            Optional<JsonNode> latest = versions.stream()
                    .filter(v -> number(v).isPresent())
                    .max(Comparator.comparingLong(v -> number(v).orElseThrow()));
            reuse = latest.filter(sameContent).isPresent();
            version = reuse ? latest.get().path("name").asText() : String.valueOf(latest.flatMap(WorkspaceAssets::number).orElse(0L) + 1);
        }
        String versionPath = path + "/" + version;
        if (reuse) {
            progress.stage(kind + " " + name + ":" + version + " is unchanged");
            return workspace.assetVersion(collection, name, version).toString();
        }
        upload.ifPresent(content -> upload(kind, content));
        progress.stage("registering " + kind + " " + name + ":" + version);
        ApiResponse response = client.put(versionPath, JsonNodeFactory.instance.objectNode().set("properties", properties));
        String id = response.body().path("id").asText("");
        return id.isEmpty() ? workspace.assetVersion(collection, name, version).toString() : id;
    }

    private void upload(String kind, LocalContent content) {
        BlobStore store = blobs();
        progress.stage("uploading " + kind + " (" + content.summary() + ")");
        for (LocalContent.Entry entry : content.files()) {
            store.upload(CONTAINER, content.blobPath(entry), entry.file());
            progress.tick();
        }
    }

    private BlobStore blobs() {
        if (blobs == null) {
            JsonNode ws = client.get(workspace.path());
            String account = ws.path("properties").path("storageAccount").asText("");
            if (account.isEmpty()) {
                throw new CliException("StorageNotFound", "workspace '" + workspace.workspace() + "' has no default storage account");
            }
            String endpoint = client.get(account).path("properties").path("primaryEndpoints").path("blob").asText("");
            if (endpoint.isEmpty()) {
                throw new CliException("StorageNotFound", "storage account " + account + " has no blob endpoint");
            }
            blobs = new BlobStore(connection.http(), URI.create(endpoint), connection.tokens());
            blobs.createContainer(CONTAINER);
        }
        return blobs;
    }

    private String existing(String collection, String kind, AssetReference reference, String hint) {
        return switch (reference) {
            case AssetReference.ArmId arm -> client.find(arm.id().toString())
                    .map(found -> found.path("id").asText(arm.id().toString()))
                    .orElseThrow(() -> new CliException("ResourceNotFound", kind + " " + arm.id() + " does not exist; " + hint));
            case AssetReference.Named named -> {
                String name = assetName(kind, named.name());
                String path = workspace.asset(collection, name) + "/versions";
                if (named.version().isPresent()) {
                    String version = named.version().get();
                    yield client.find(path + "/" + version)
                            .map(found -> found.path("id").asText(workspace.assetVersion(collection, name, version).toString()))
                            .orElseThrow(() -> new CliException("ResourceNotFound", kind + " '" + name + "' version " + version
                                    + " does not exist in workspace '" + workspace.workspace() + "'; " + hint));
                }
                yield versions(path).stream()
                        .filter(v -> number(v).isPresent())
                        .max(Comparator.comparingLong(v -> number(v).orElseThrow()))
                        .map(latest -> workspace.assetVersion(collection, name, latest.path("name").asText()).toString())
                        .orElseThrow(() -> new CliException("ResourceNotFound", kind + " '" + name + "' has no versions in workspace '"
                                + workspace.workspace() + "'; " + hint));
            }
        };
    }

    private List<JsonNode> versions(String path) {
        return client.listIfExists(path);
    }

    private static Optional<Long> number(JsonNode version) {
        try {
            return Optional.of(Long.parseLong(version.path("name").asText()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String assetName(String kind, String name) {
        try {
            return Names.assetName(kind, name);
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
    }

    private static ObjectNode tags(Map<String, String> tags) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        tags.forEach(node::put);
        return node;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
