package enclave.cli.role;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import enclave.cli.console.CliException;
import enclave.cli.session.Session;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave role definition ...}, as {@code az role definition}. */
@Command(name = "definition", description = "Manage role definitions: built-in roles and custom roles from JSON.")
public final class RoleDefinitionCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public RoleDefinitionCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create a custom role from JSON (Name, Description, Actions, NotActions, DataActions, NotDataActions, AssignableScopes).")
    int create(@Option(names = "--role-definition", required = true, paramLabel = "FILE_OR_JSON",
            description = "A JSON file, or the JSON itself.") String roleDefinition) {
        RoleDefinitionInput input = RoleDefinitionInput.read(roleDefinition, session.workingDirectory(), RoleDefinitionInput.Purpose.CREATE);
        RoleDefinitions definitions = new RoleDefinitions(session.connection().management());
        JsonNode created = definitions.put(input.assignableScopes().getFirst(), UUID.randomUUID().toString(),
                input.toArm(input.assignableScopes(), Optional.empty()));
        session.output().print(RoleDefinitions.flatten(created));
        return 0;
    }

    @Command(name = "list", description = "List role definitions that can be assigned at a scope.")
    int list(
            @Option(names = "--custom-role-only", description = "Only custom roles.") boolean customOnly,
            @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "A role's name (e.g. Reader) or GUID.") String name,
            @Option(names = "--scope", paramLabel = "SCOPE", description = "The scope (default: the subscription).") String scope) {
        RoleDefinitions definitions = new RoleDefinitions(session.connection().management());
        ArrayNode shown = JsonNodeFactory.instance.arrayNode();
        definitions.list(RoleCommands.defaultScope(session, scope), Optional.ofNullable(name), customOnly)
                .forEach(definition -> shown.add(RoleDefinitions.flatten(definition)));
        session.output().print(shown);
        return 0;
    }

    @Command(name = "update", description = "Update a custom role, found by the JSON's Id or Name.")
    int update(@Option(names = "--role-definition", required = true, paramLabel = "FILE_OR_JSON",
            description = "A JSON file, or the JSON itself; AssignableScopes and Description default to the role's own.") String roleDefinition) {
        RoleDefinitionInput input = RoleDefinitionInput.read(roleDefinition, session.workingDirectory(), RoleDefinitionInput.Purpose.UPDATE);
        RoleDefinitions definitions = new RoleDefinitions(session.connection().management());
        String searchScope = input.assignableScopes().isEmpty() ? RoleCommands.defaultScope(session, null) : input.assignableScopes().getFirst();
        String wanted = input.guid().orElse(input.name());
        List<JsonNode> found = definitions.list(searchScope, Optional.of(wanted), false);
        if (found.isEmpty()) {
            throw new CliException("RoleDefinitionNotFound", "no role '" + wanted + "' at " + searchScope
                    + "; a role assignable only below it is found by its Id, or by its Name with its AssignableScopes in the file");
        }
        JsonNode existing = RoleDefinitions.one(found, wanted, searchScope);
        if (!RoleDefinitions.isCustom(existing)) {
            throw new CliException("BuiltInRoleNotChangeable", "'" + RoleDefinitions.roleName(existing)
                    + "' is a built-in role and cannot be changed; create a custom role instead");
        }
        List<String> scopes = input.assignableScopes().isEmpty() ? strings(existing.path("properties").path("assignableScopes")) : input.assignableScopes();
        if (scopes.isEmpty()) {
            throw new CliException("InvalidRoleDefinition", "role '" + input.name() + "' has no assignable scopes; give AssignableScopes");
        }
        Optional<String> description = Optional.of(existing.path("properties").path("description").asText("")).filter(text -> !text.isEmpty());
        JsonNode updated = definitions.put(scopes.getFirst(), existing.path("name").asText(), input.toArm(scopes, description));
        session.output().print(RoleDefinitions.flatten(updated));
        return 0;
    }

    @Command(name = "delete", description = "Delete a custom role.")
    int delete(
            @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "The role's name or GUID.") String name,
            @Option(names = "--scope", paramLabel = "SCOPE", description = "The scope to find it at (default: the subscription).") String scope,
            @Option(names = "--custom-role-only", description = "Only look at custom roles.") boolean customOnly) {
        RoleDefinitions definitions = new RoleDefinitions(session.connection().management());
        String at = RoleCommands.defaultScope(session, scope);
        JsonNode role = RoleDefinitions.one(definitions.list(at, Optional.of(name), customOnly), name, at);
        if (!RoleDefinitions.isCustom(role)) {
            throw new CliException("BuiltInRoleNotChangeable", "'" + RoleDefinitions.roleName(role) + "' is a built-in role and cannot be deleted");
        }
        definitions.delete(role, at);
        return 0;
    }

    private static List<String> strings(JsonNode array) {
        return array.isArray() ? StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList() : List.of();
    }
}
