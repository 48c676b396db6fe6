package enclave.cli.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import enclave.core.ResourceId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code enclave identity ...}: user-assigned managed identities, as {@code az identity}. Output is az's flattened shape
 * ({@code clientId}, {@code principalId}, {@code tenantId} beside {@code id} and {@code name}).
 */
@Command(name = "identity", description = "Manage user-assigned managed identities.")
public final class IdentityCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public IdentityCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create a user-assigned identity (or update its tags).")
    int create(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-g", "--resource-group"}, paramLabel = "GROUP", description = "Resource group (default: the configured one).") String group,
            @Option(names = {"-l", "--location"}, paramLabel = "LOCATION", description = "Location (default: the server's).") String location) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("location", location != null ? location : session.connection().info().locationOrDefault());
        body.putObject("tags");
        new ResourceOperations(session).put(path(group, name), body, false, "creating identity " + name)
                .ifPresent(identity -> session.output().print(flatten(identity)));
        return 0;
    }

    @Command(name = "show", description = "Show a user-assigned identity: its id, principalId and clientId.")
    int show(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-g", "--resource-group"}, paramLabel = "GROUP") String group) {
        session.output().print(flatten(session.connection().management().get(path(group, name))));
        return 0;
    }

    @Command(name = "list", description = "List the user-assigned identities of a resource group.")
    int list(@Option(names = {"-g", "--resource-group"}, paramLabel = "GROUP") String group) {
        ArrayNode all = JsonNodeFactory.instance.arrayNode();
        session.connection().management().list(collection(group)).forEach(identity -> all.add(flatten(identity)));
        session.output().print(all);
        return 0;
    }

    @Command(name = "delete", description = "Delete a user-assigned identity (its role assignments go with it).")
    int delete(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME") String name,
            @Option(names = {"-g", "--resource-group"}, paramLabel = "GROUP") String group) {
        new ResourceOperations(session).delete(path(group, name), false, "deleting identity " + name);
        return 0;
    }

    private String collection(String group) {
        return ResourceId.resourceGroup(session.connection().subscription(), session.resourceGroup(group))
                + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities";
    }

    private String path(String group, String name) {
        return collection(group) + "/" + name;
    }

    /** az's shape: the ARM envelope with {@code properties} lifted to the top, plus {@code resourceGroup}. */
    static ObjectNode flatten(JsonNode arm) {
        ObjectNode flat = JsonNodeFactory.instance.objectNode();
        for (String field : new String[] {"id", "name", "type", "location", "tags"}) {
            if (arm.has(field)) {
                flat.set(field, arm.get(field).deepCopy());
            }
        }
        arm.path("properties").fields().forEachRemaining(entry -> flat.set(entry.getKey(), entry.getValue().deepCopy()));
        ResourceId.parse(arm.path("id").asText()).resourceGroup().ifPresent(group -> flat.put("resourceGroup", group));
        return flat;
    }
}
