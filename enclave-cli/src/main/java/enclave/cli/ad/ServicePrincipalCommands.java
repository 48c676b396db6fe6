package enclave.cli.ad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.directory.Directory;
import enclave.cli.role.RoleAssignments;
import enclave.cli.role.RoleDefinitions;
import enclave.cli.role.Scopes;
import enclave.cli.session.Session;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave ad sp ...}, as {@code az ad sp}. */
@Command(name = "sp", description = "Manage service principals.")
public final class ServicePrincipalCommands implements Runnable {
    private static final DateTimeFormatter DEFAULT_NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss", Locale.ROOT);

    private final Session session;

    @Spec
    CommandSpec spec;

    public ServicePrincipalCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create-for-rbac", description = "Create a service principal (its secret is shown once) and, with --role/--scopes, assign it a role.")
    int createForRbac(
            @Option(names = {"-n", "--name", "--display-name"}, paramLabel = "NAME", description = "Display name (default: enclave-cli-<time>).") String name,
            @Option(names = "--role", paramLabel = "ROLE", description = "A role to assign at each of --scopes.") String role,
            @Option(names = "--scopes", arity = "1..*", paramLabel = "SCOPE", description = "Scopes for --role.") List<String> scopes) {
        if ((role == null) != (scopes == null)) {
            throw CliException.usage("--role and --scopes go together: pass both, or neither to create the service principal without access");
        }
        String displayName = name != null ? name.strip() : "enclave-cli-" + DEFAULT_NAME.format(LocalDateTime.now());
        if (displayName.isEmpty()) {
            throw CliException.usage("--name must not be empty");
        }
        // Scopes and role first: a typo fails before the service principal exists, so it leaves nothing behind.
        List<String> at = new ArrayList<>();
        List<JsonNode> roles = new ArrayList<>();
        if (scopes != null) {
            RoleDefinitions definitions = new RoleDefinitions(session.connection().management());
            for (String scope : scopes) {
                String parsed = Scopes.parse("--scopes", scope);
                at.add(parsed);
                roles.add(definitions.resolve(role, parsed));
            }
        }
        Directory directory = new Directory(session.connection());
        JsonNode created = directory.createServicePrincipal(displayName);
        String appId = created.path("appId").asText("");
        if (!at.isEmpty()) {
            Directory.Principal principal = created.hasNonNull("objectId")
                    ? new Directory.Principal(created.get("objectId").asText(), displayName, Optional.of(appId), Optional.empty(),
                            Directory.PrincipalKind.SERVICE_PRINCIPAL)
                    : directory.resolve(appId);
            RoleAssignments assignments = new RoleAssignments(session.connection(), session::debugLine);
            for (int i = 0; i < at.size(); i++) {
                session.err().println("Creating '" + RoleDefinitions.roleName(roles.get(i)) + "' role assignment under scope '" + at.get(i) + "'");
                try {
                    assignments.create(principal, roles.get(i), at.get(i));
                } catch (CliException e) {
                    throw new CliException(e.code(), "service principal " + appId + " was created, but assigning it '" + role + "' at " + at.get(i)
                            + " failed: " + e.getMessage() + "; retry with: enclave role assignment create --assignee " + appId
                            + " --role \"" + role + "\" --scope " + at.get(i));
                }
            }
        }
        session.err().println("The output includes credentials that you must protect. Be sure that you do not include these credentials "
                + "in your code or check the credentials into your source control.");
        ObjectNode shown = JsonNodeFactory.instance.objectNode();
        shown.put("appId", appId);
        shown.put("displayName", created.path("displayName").asText(displayName));
        shown.put("password", created.path("password").asText(""));
        shown.put("tenant", created.path("tenant").asText(session.connection().tenant()));
        session.output().print(shown);
        return 0;
    }

    @Command(name = "list", description = "List service principals.")
    int list(@Option(names = "--display-name", paramLabel = "NAME", description = "Only those whose display name starts with NAME.") String displayName) {
        ArrayNode shown = JsonNodeFactory.instance.arrayNode();
        new Directory(session.connection()).servicePrincipals().stream()
                .filter(entry -> displayName == null || startsWith(entry.path("displayName").asText(""), displayName))
                .forEach(entry -> shown.add(Directory.shown(entry)));
        session.output().print(shown);
        return 0;
    }

    @Command(name = "show", description = "Show a service principal by app id, object id or display name.")
    int show(@Option(names = "--id", required = true, paramLabel = "ID") String id) {
        Directory directory = new Directory(session.connection());
        JsonNode entry = directory.lookup(id.strip()).orElseThrow(() -> new CliException("ResourceNotFound",
                "no service principal '" + id + "' in the directory"));
        if (Directory.Principal.parse(entry).kind() == Directory.PrincipalKind.USER) {
            throw new CliException("ResourceNotFound", "'" + id + "' is a user, not a service principal; see it with: enclave ad user show --id " + id);
        }
        session.output().print(Directory.shown(entry));
        return 0;
    }

    static boolean startsWith(String value, String prefix) {
        return value.toLowerCase(Locale.ROOT).startsWith(prefix.strip().toLowerCase(Locale.ROOT));
    }
}
