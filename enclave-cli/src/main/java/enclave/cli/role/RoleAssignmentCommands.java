package enclave.cli.role;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.directory.Directory;
import enclave.cli.session.Session;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave role assignment ...}, as {@code az role assignment}. */
@Command(name = "assignment", description = "Manage role assignments: who holds which role at which scope.")
public final class RoleAssignmentCommands implements Runnable {
    private static final String ASSIGNMENT_MARKER = "/providers/microsoft.authorization/roleassignments/";

    private final Session session;

    @Spec
    CommandSpec spec;

    public RoleAssignmentCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Give a user or service principal a role at a scope.")
    int create(
            @Option(names = "--assignee", required = true, paramLabel = "PRINCIPAL",
                    description = "App id, object id, user principal name or display name.") String assignee,
            @Option(names = "--role", required = true, paramLabel = "ROLE", description = "Role name (e.g. Reader), GUID or role definition id.") String role,
            @Option(names = "--scope", required = true, paramLabel = "SCOPE", description = "Subscription, resource group or resource id.") String scope) {
        String at = Scopes.parse("--scope", scope);
        Directory.Principal principal = new Directory(session.connection()).resolve(assignee);
        JsonNode definition = new RoleDefinitions(session.connection().management()).resolve(role, at);
        session.output().print(new RoleAssignments(session.connection(), session::debugLine).create(principal, definition, at));
        return 0;
    }

    @Command(name = "list", description = "List role assignments at a scope (the subscription by default).")
    int list(
            @Option(names = "--scope", paramLabel = "SCOPE", description = "The scope (default: the subscription).") String scope,
            @Option(names = "--assignee", paramLabel = "PRINCIPAL", description = "Only this principal's assignments.") String assignee,
            @Option(names = "--role", paramLabel = "ROLE", description = "Only assignments of this role (name or GUID).") String role,
            @Option(names = "--include-inherited", description = "Also assignments at scopes above (they apply here too).") boolean inherited,
            @Option(names = "--all", description = "Assignments at, above and below the scope.") boolean all) {
        String at = RoleCommands.defaultScope(session, scope);
        Optional<Directory.Principal> principal = Optional.ofNullable(assignee).map(new Directory(session.connection())::resolve);
        RoleAssignments assignments = new RoleAssignments(session.connection(), session::debugLine);
        List<ObjectNode> found = assignments.list(at, principal).stream()
                .filter(assignment -> all || Scopes.same(assignment.path("scope").asText(), at)
                        || inherited && Scopes.atOrAbove(assignment.path("scope").asText(), at))
                .toList();
        List<ObjectNode> shown = assignments.named(found, at).stream()
                .filter(assignment -> role == null || ofRole(assignment, role))
                .toList();
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(shown));
        return 0;
    }

    @Command(name = "delete", description = "Delete role assignments by id, or those of an assignee and/or role at a scope.")
    int delete(
            @Option(names = "--ids", arity = "1..*", paramLabel = "ID", description = "Role assignment ids.") List<String> ids,
            @Option(names = "--assignee", paramLabel = "PRINCIPAL") String assignee,
            @Option(names = "--role", paramLabel = "ROLE") String role,
            @Option(names = "--scope", paramLabel = "SCOPE") String scope) {
        if (ids != null) {
            if (assignee != null || role != null || scope != null) {
                throw CliException.usage("--ids cannot be combined with --assignee, --role or --scope");
            }
            for (String id : ids) {
                if (!id.startsWith("/") || !id.toLowerCase(Locale.ROOT).contains(ASSIGNMENT_MARKER)) {
                    throw CliException.user("--ids '" + id + "' is not a role assignment id (.../providers/Microsoft.Authorization/roleAssignments/{guid})");
                }
            }
            RoleAssignments assignments = new RoleAssignments(session.connection(), session::debugLine);
            ids.forEach(assignments::delete);
            return 0;
        }
        if (scope == null || assignee == null && role == null) {
            throw CliException.usage("pass --ids, or --scope with --assignee and/or --role");
        }
        String at = Scopes.parse("--scope", scope);
        RoleAssignments assignments = new RoleAssignments(session.connection(), session::debugLine);
        Optional<Directory.Principal> principal = Optional.ofNullable(assignee).map(new Directory(session.connection())::resolve);
        Optional<String> roleGuid = Optional.ofNullable(role)
                .map(r -> RoleAssignments.guid(new RoleDefinitions(session.connection().management()).resolve(r, at).path("id").asText()));
        List<ObjectNode> matching = assignments.list(at, principal).stream()
                .filter(assignment -> Scopes.same(assignment.path("scope").asText(), at))
                .filter(assignment -> roleGuid.isEmpty() || RoleAssignments.guid(assignment.path("roleDefinitionId").asText()).equals(roleGuid.get()))
                .toList();
        if (matching.isEmpty()) {
            throw new CliException("RoleAssignmentNotFound", "no role assignment at " + at + " matches"
                    + (assignee == null ? "" : " assignee '" + assignee + "'") + (role == null ? "" : " role '" + role + "'"));
        }
        matching.forEach(assignment -> assignments.delete(assignment.path("id").asText()));
        return 0;
    }

    private static boolean ofRole(JsonNode assignment, String role) {
        String wanted = role.strip();
        return assignment.path("roleDefinitionName").asText("").equalsIgnoreCase(wanted)
                || RoleAssignments.guid(assignment.path("roleDefinitionId").asText()).equalsIgnoreCase(RoleAssignments.guid(wanted));
    }
}
