package enclave.cli.connection;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.Session;
import enclave.cli.session.WorkspaceOptions;
import enclave.cli.session.WorkspaceScope;
import enclave.cli.yaml.YamlDocuments;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code enclave ml connection ...}, as {@code az ml connection}: named credentials for outside services in the workspace's key
 * store. {@code show} and {@code list} never print the secret; {@code list-secrets} does, with the listsecrets action.
 */
@Command(name = "connection", description = "Manage workspace connections (credentials for outside services).")
public final class ConnectionCommands implements Runnable {
    /** YAML {@code type} → ARM {@code category}. */
    private static final Map<String, String> CATEGORIES = Map.ofEntries(
            Map.entry("custom", "CustomKeys"), Map.entry("custom_keys", "CustomKeys"), Map.entry("api_key", "ApiKey"), Map.entry("git", "Git"),
            Map.entry("python_feed", "PythonFeed"), Map.entry("azure_open_ai", "AzureOpenAI"), Map.entry("container_registry", "ContainerRegistry"),
            Map.entry("s3", "S3"), Map.entry("snowflake", "Snowflake"), Map.entry("azure_sql_db", "AzureSqlDb"), Map.entry("azure_blob", "AzureBlob"));
    /** YAML {@code credentials.type} → ARM {@code authType}. */
    private static final Map<String, String> AUTH_TYPES = Map.of("api_key", "ApiKey", "custom_keys", "CustomKeys", "custom", "CustomKeys",
            "username_password", "UsernamePassword", "pat", "PAT", "access_key", "AccessKey", "sas", "SAS", "none", "None");

    private final Session session;

    @Spec
    CommandSpec spec;

    public ConnectionCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create or update a connection from an Azure ML connection YAML file.")
    int create(@Option(names = {"-f", "--file"}, required = true) Path file, @Option(names = {"-n", "--name"}) String name, @Mixin WorkspaceOptions options) {
        ConnectionYaml yaml = YamlDocuments.read(file, ConnectionYaml.class, "connection");
        String connection = name != null ? name : yaml.name();
        if (connection == null || connection.isBlank()) {
            throw CliException.user(file + ": a connection needs a name");
        }
        ObjectNode body = toArm(yaml, file);
        WorkspaceScope scope = session.workspace(options);
        session.output().print(session.connection().management().put(scope.path() + "/connections/" + connection, body).body());
        return 0;
    }

    @Command(name = "show", description = "Show a connection (never its secret).")
    int show(@Option(names = {"-n", "--name"}, required = true) String name, @Mixin WorkspaceOptions options) {
        session.output().print(session.connection().management().get(session.workspace(options).path() + "/connections/" + name));
        return 0;
    }

    @Command(name = "list", description = "List the workspace's connections (never their secrets).")
    int list(@Mixin WorkspaceOptions options) {
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(session.connection().management().list(session.workspace(options).path() + "/connections")));
        return 0;
    }

    @Command(name = "list-secrets", description = "Show a connection with its secret (needs connections/listsecrets/action).")
    int listSecrets(@Option(names = {"-n", "--name"}, required = true) String name, @Mixin WorkspaceOptions options) {
        String path = session.workspace(options).path() + "/connections/" + name + "/listsecrets";
        session.output().print(session.connection().management().post(path, JsonNodeFactory.instance.objectNode()).body());
        return 0;
    }

    @Command(name = "delete", description = "Delete a connection.")
    int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-y", "--yes"}) boolean yes, @Mixin WorkspaceOptions options) {
        String path = session.workspace(options).path() + "/connections/" + name;
        session.confirm(yes, "Delete connection '" + name + "'?");
        session.connection().management().delete(path);
        return 0;
    }

    static ObjectNode toArm(ConnectionYaml yaml, Path file) {
        String type = required(yaml.type(), file, "type").toLowerCase(Locale.ROOT);
        String category = CATEGORIES.getOrDefault(type, null);
        if (category == null) {
            throw CliException.user(file + ": type '" + yaml.type() + "' is not one of " + CATEGORIES.keySet());
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode properties = body.putObject("properties");
        properties.put("category", category);
        if (yaml.target() != null) {
            properties.put("target", yaml.target());
        }
        ObjectNode credentials = properties.putObject("credentials");
        ConnectionYaml.Credentials given = yaml.credentials();
        String authType;
        if (given == null) {
            authType = yaml.apiKey() != null ? "ApiKey" : "None";
            if (yaml.apiKey() != null) {
                credentials.put("key", yaml.apiKey());
            }
        } else {
            String credentialType = given.type() != null ? given.type().toLowerCase(Locale.ROOT) : type.equals("custom") ? "custom_keys" : "api_key";
            authType = AUTH_TYPES.get(credentialType);
            if (authType == null) {
                throw CliException.user(file + ": credentials.type '" + given.type() + "' is not one of " + AUTH_TYPES.keySet());
            }
            putIfPresent(credentials, "key", given.key());
            if (given.keys() != null) {
                ObjectNode keys = credentials.putObject("keys");
                given.keys().forEach(keys::put);
            }
            putIfPresent(credentials, "username", given.username());
            putIfPresent(credentials, "password", given.password());
            putIfPresent(credentials, "pat", given.pat());
            putIfPresent(credentials, "accessKeyId", given.accessKeyId());
            putIfPresent(credentials, "secretAccessKey", given.secretAccessKey());
            putIfPresent(credentials, "sas", given.sasToken());
        }
        properties.put("authType", authType);
        if (yaml.metadata() != null) {
            ObjectNode metadata = properties.putObject("metadata");
            yaml.metadata().forEach(metadata::put);
        }
        return body;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String required(String value, Path file, String field) {
        if (value == null || value.isBlank()) {
            throw CliException.user(file + ": '" + field + "' is required");
        }
        return value;
    }
}
