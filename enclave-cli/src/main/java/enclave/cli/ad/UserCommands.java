package enclave.cli.ad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import enclave.cli.console.CliException;
import enclave.cli.directory.Directory;
import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave ad user ...}, as {@code az ad user}. */
@Command(name = "user", description = "Manage users.")
public final class UserCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public UserCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "create", description = "Create a user who signs in with `enclave login -u UPN -p PASSWORD`.")
    int create(
            @Option(names = "--display-name", required = true, paramLabel = "NAME") String displayName,
            @Option(names = "--user-principal-name", required = true, paramLabel = "UPN", description = "e.g. alice@contoso.com") String userPrincipalName,
            @Option(names = "--password", required = true, paramLabel = "PASSWORD") String password) {
        String upn = userPrincipalName.strip();
        int at = upn.indexOf('@');
        if (at <= 0 || at != upn.lastIndexOf('@') || at == upn.length() - 1 || upn.contains(" ")) {
            throw CliException.user("--user-principal-name '" + userPrincipalName + "' is not a user principal name like alice@contoso.com");
        }
        if (displayName.isBlank()) {
            throw CliException.user("--display-name must not be empty");
        }
        if (password.isEmpty()) {
            throw CliException.user("--password must not be empty");
        }
        session.output().print(Directory.shown(new Directory(session.connection()).createUser(upn, displayName.strip(), password)));
        return 0;
    }

    @Command(name = "list", description = "List users.")
    int list(
            @Option(names = "--display-name", paramLabel = "NAME", description = "Only those whose display name starts with NAME.") String displayName,
            @Option(names = "--upn", paramLabel = "UPN", description = "Only the user with this user principal name.") String upn) {
        ArrayNode shown = JsonNodeFactory.instance.arrayNode();
        new Directory(session.connection()).users().stream()
                .filter(entry -> displayName == null || ServicePrincipalCommands.startsWith(entry.path("displayName").asText(""), displayName))
                .filter(entry -> upn == null || entry.path("userPrincipalName").asText("").equalsIgnoreCase(upn.strip()))
                .forEach(entry -> shown.add(Directory.shown(entry)));
        session.output().print(shown);
        return 0;
    }

    @Command(name = "show", description = "Show a user by object id or user principal name.")
    int show(@Option(names = "--id", required = true, paramLabel = "ID") String id) {
        JsonNode entry = new Directory(session.connection()).lookup(id.strip()).orElseThrow(() -> new CliException("ResourceNotFound",
                "no user '" + id + "' in the directory"));
        if (Directory.Principal.parse(entry).kind() != Directory.PrincipalKind.USER) {
            throw new CliException("ResourceNotFound", "'" + id + "' is a service principal, not a user; see it with: enclave ad sp show --id " + id);
        }
        session.output().print(Directory.shown(entry));
        return 0;
    }
}
