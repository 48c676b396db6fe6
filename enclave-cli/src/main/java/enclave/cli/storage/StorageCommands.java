package enclave.cli.storage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.http.BlobStore;
import enclave.cli.http.ServerConnection;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code enclave storage account|container|blob ...}, as {@code az storage}: storage accounts through the ARM API, and their
 * containers and blobs through the blob service with the signed-in principal's storage token ({@code --auth-mode login}).
 */
@Command(name = "storage", description = "Storage accounts, containers and blobs.", subcommands = {
        StorageCommands.Account.class, StorageCommands.Container.class, StorageCommands.Blob.class})
public final class StorageCommands implements Runnable {
    private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9]{3,24}");

    final Session session;

    @Spec
    CommandSpec spec;

    public StorageCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    static String accountName(String name) {
        if (name == null || !ACCOUNT_NAME.matcher(name).matches()) {
            throw CliException.user("storage account name '" + name + "' is invalid: use 3-24 lower-case letters and digits");
        }
        return name;
    }

    /** The blob service of an account: {@code <gateway>/<account>/} (path style), with the signed-in principal's token. */
    static BlobStore blobs(Session session, String account) {
        ServerConnection connection = session.connection();
        return new BlobStore(connection.http(), URI.create(connection.info().gatewayUrl() + "/" + accountName(account) + "/"), connection.tokens());
    }

    /** What the three command groups share: their parent (for the session) and a usage answer when called bare. */
    abstract static class Group implements Runnable {
        @picocli.CommandLine.ParentCommand
        StorageCommands parent;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(parent.session.out());
        }
    }

    @Command(name = "account", description = "Manage storage accounts.")
    static final class Account extends Group {
        @Command(name = "create", description = "Create a storage account (name: 3-24 lower-case letters and digits, unique on the platform).")
        int create(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
                @Option(names = {"-l", "--location"}) String location,
                @Option(names = "--public-network-access", description = "Enabled (default) or Disabled.") String publicNetworkAccess) {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("location", location != null ? location : parent.session.connection().info().locationOrDefault());
            body.put("kind", "StorageV2");
            body.putObject("sku").put("name", "Standard_LRS");
            if (publicNetworkAccess != null) {
                body.putObject("properties").put("publicNetworkAccess", publicNetworkAccess);
            }
            new ResourceOperations(parent.session).put(path(group, name), body, false, "creating storage account " + name).ifPresent(parent.session.output()::print);
            return 0;
        }

        @Command(name = "update", description = "Update a storage account's public network access or tags.")
        int update(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
                @Option(names = "--public-network-access", description = "Enabled or Disabled.") String publicNetworkAccess,
                @Option(names = "--tags", arity = "1..*") java.util.List<String> tags) {
            com.fasterxml.jackson.databind.JsonNode existing = parent.session.connection().management().get(path(group, name));
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("location", existing.path("location").asText());
            if (tags != null) {
                ObjectNode tagNode = body.putObject("tags");
                enclave.cli.yaml.KeyValues.tags(tags).forEach(tagNode::put);
            } else {
                body.set("tags", existing.path("tags").deepCopy());
            }
            body.putObject("properties").put("publicNetworkAccess",
                    publicNetworkAccess != null ? publicNetworkAccess : existing.at("/properties/publicNetworkAccess").asText("Enabled"));
            new ResourceOperations(parent.session).put(path(group, name), body, false, "updating storage account " + name).ifPresent(parent.session.output()::print);
            return 0;
        }

        @Command(name = "show", description = "Show a storage account.")
        int show(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
            parent.session.output().print(parent.session.connection().management().get(path(group, name)));
            return 0;
        }

        @Command(name = "list", description = "List the storage accounts of a resource group.")
        int list(@Option(names = {"-g", "--resource-group"}) String group) {
            String path = "/subscriptions/" + parent.session.connection().subscription() + "/resourceGroups/" + parent.session.resourceGroup(group)
                    + "/providers/Microsoft.Storage/storageAccounts";
            parent.session.output().print(JsonNodeFactory.instance.arrayNode().addAll(parent.session.connection().management().list(path)));
            return 0;
        }

        @Command(name = "delete", description = "Delete a storage account and all its data.")
        int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
                @Option(names = {"-y", "--yes"}) boolean yes) {
            String path = path(group, name);
            parent.session.confirm(yes, "Delete storage account '" + name + "' and all its blobs?");
            new ResourceOperations(parent.session).delete(path, false, "deleting storage account " + name);
            return 0;
        }

        private String path(String group, String name) {
            return "/subscriptions/" + parent.session.connection().subscription() + "/resourceGroups/" + parent.session.resourceGroup(group)
                    + "/providers/Microsoft.Storage/storageAccounts/" + accountName(name);
        }
    }

    @Command(name = "container", description = "Manage blob containers (signed in: --auth-mode login is the only mode).")
    static final class Container extends Group {
        @Command(name = "create", description = "Create a container (an existing one is fine).")
        int create(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--account-name", required = true) String account,
                @Option(names = "--auth-mode", defaultValue = "login", description = "login (the only mode: your own token and roles).") String authMode) {
            requireLogin(authMode);
            blobs(parent.session, account).createContainer(name);
            parent.session.output().print(JsonNodeFactory.instance.objectNode().put("created", true).put("name", name));
            return 0;
        }

        @Command(name = "list", description = "List the containers of an account.")
        int list(@Option(names = "--account-name", required = true) String account, @Option(names = "--auth-mode", defaultValue = "login") String authMode) {
            requireLogin(authMode);
            ArrayNode names = JsonNodeFactory.instance.arrayNode();
            blobs(parent.session, account).listContainers().forEach(name -> names.addObject().put("name", name));
            parent.session.output().print(names);
            return 0;
        }

        @Command(name = "delete", description = "Delete a container and its blobs.")
        int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--account-name", required = true) String account,
                @Option(names = "--auth-mode", defaultValue = "login") String authMode) {
            requireLogin(authMode);
            blobs(parent.session, account).deleteContainer(name);
            parent.session.output().print(JsonNodeFactory.instance.objectNode().put("deleted", true));
            return 0;
        }
    }

    @Command(name = "blob", description = "Upload, download, list and delete blobs.")
    static final class Blob extends Group {
        @Command(name = "upload", description = "Upload a file as a block blob.")
        int upload(@Option(names = "--account-name", required = true) String account, @Option(names = {"-c", "--container-name"}, required = true) String container,
                @Option(names = {"-n", "--name"}, description = "Blob name (default: the file's name).") String name,
                @Option(names = {"-f", "--file"}, required = true) Path file, @Option(names = "--auth-mode", defaultValue = "login") String authMode) {
            requireLogin(authMode);
            if (!Files.isRegularFile(file)) {
                throw CliException.user("--file " + file + " does not exist or is not a file");
            }
            String blobName = name != null ? name : file.getFileName().toString();
            blobs(parent.session, account).upload(container, blobName, file);
            parent.session.output().print(JsonNodeFactory.instance.objectNode().put("name", blobName).put("container", container));
            return 0;
        }

        @Command(name = "download", description = "Download a blob to a file.")
        int download(@Option(names = "--account-name", required = true) String account, @Option(names = {"-c", "--container-name"}, required = true) String container,
                @Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-f", "--file"}, required = true) Path file,
                @Option(names = "--auth-mode", defaultValue = "login") String authMode) {
            requireLogin(authMode);
            Path target = file.toAbsolutePath();
            if (target.getParent() != null && !Files.isDirectory(target.getParent())) {
                throw CliException.user("the folder of --file " + file + " does not exist");
            }
            blobs(parent.session, account).download(container, name, target);
            parent.session.output().print(JsonNodeFactory.instance.objectNode().put("name", name).put("file", target.toString()));
            return 0;
        }

        @Command(name = "list", description = "List the blobs of a container.")
        int list(@Option(names = "--account-name", required = true) String account, @Option(names = {"-c", "--container-name"}, required = true) String container,
                @Option(names = "--prefix", defaultValue = "") String prefix, @Option(names = "--auth-mode", defaultValue = "login") String authMode) {
            requireLogin(authMode);
            ArrayNode rows = JsonNodeFactory.instance.arrayNode();
            for (BlobStore.BlobEntry entry : blobs(parent.session, account).list(container, prefix)) {
                ObjectNode row = rows.addObject();
                row.put("name", entry.name());
                ObjectNode properties = row.putObject("properties");
                properties.put("contentLength", entry.size());
                properties.put("contentType", entry.contentType());
                properties.put("lastModified", entry.lastModified());
            }
            parent.session.output().print(rows);
            return 0;
        }

        @Command(name = "delete", description = "Delete a blob.")
        int delete(@Option(names = "--account-name", required = true) String account, @Option(names = {"-c", "--container-name"}, required = true) String container,
                @Option(names = {"-n", "--name"}, required = true) String name, @Option(names = "--auth-mode", defaultValue = "login") String authMode) {
            requireLogin(authMode);
            blobs(parent.session, account).delete(container, name);
            parent.session.output().print(JsonNodeFactory.instance.objectNode().put("deleted", true));
            return 0;
        }
    }

    private static void requireLogin(String authMode) {
        if (!"login".equalsIgnoreCase(authMode)) {
            throw CliException.user("--auth-mode " + authMode + " is not available: Enclave storage takes tokens only (--auth-mode login); account keys are never handed out");
        }
    }
}
