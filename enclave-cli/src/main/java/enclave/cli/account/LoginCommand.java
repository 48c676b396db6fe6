package enclave.cli.account;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import enclave.cli.console.CliException;
import enclave.cli.http.AdminCredentials;
import enclave.cli.http.ClientCredentials;
import enclave.cli.http.ManagedIdentityCredentials;
import enclave.cli.http.ServerConnection;
import enclave.cli.http.TokenSource;
import enclave.cli.http.UserCredentials;
import enclave.cli.session.Accounts;
import enclave.cli.session.Profile;
import enclave.cli.session.ProfileFile;
import enclave.cli.session.Session;
import java.io.Console;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code enclave login}, as {@code az login}: the platform admin (no arguments), a user ({@code -u -p}), a service
 * principal ({@code --service-principal -u APP_ID -p SECRET}) or the environment's managed identity
 * ({@code --identity}). The credentials are tried first (a token for management); only then is the profile saved.
 */
@Command(name = "login", description = "Sign in as the platform admin (default), a user, a service principal or a managed identity.")
public final class LoginCommand implements Callable<Integer> {
    private final Session session;

    @Option(names = {"-u", "--username"}, paramLabel = "NAME",
            description = "User principal name; the app id with --service-principal; the client id of a user-assigned identity with --identity.")
    String username;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "The user's password or the service principal's secret.")
    String password;

    @Option(names = "--service-principal", description = "Sign in as a service principal (-u APP_ID -p SECRET).")
    boolean servicePrincipal;

    @Option(names = {"-t", "--tenant"}, paramLabel = "TENANT", description = "The tenant to sign in to (default: the platform's).")
    String tenant;

    @Option(names = "--identity", description = "Sign in with the managed identity this environment offers.")
    boolean identity;

    @Option(names = "--client-id", paramLabel = "CLIENT_ID", description = "With --identity: the client id of a user-assigned identity (same as -u).")
    String clientId;

    public LoginCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        checkOptions();
        boolean signsInAUser = !identity && !servicePrincipal && username != null;
        String userPassword = signsInAUser && password == null ? prompt() : password;
        ServerConnection server = session.connect();
        Profile profile;
        if (identity) {
            profile = managedIdentity(server);
        } else if (servicePrincipal) {
            profile = servicePrincipal(server);
        } else if (signsInAUser) {
            profile = user(server, userPassword);
        } else {
            profile = admin(server);
        }
        ProfileFile.write(session.home(), profile);
        session.output().print(JsonNodeFactory.instance.arrayNode().add(Accounts.account(profile, server, session.home(), "cloudName")));
        return 0;
    }

    /** Every combination az refuses, refused before anything is sent. */
    private void checkOptions() {
        if (identity) {
            if (servicePrincipal || password != null || tenant != null) {
                throw CliException.usage("--identity takes no --service-principal, --password or --tenant");
            }
            if (username != null && clientId != null && !username.equals(clientId)) {
                throw CliException.usage("-u and --client-id name different identities; pass one");
            }
            return;
        }
        if (clientId != null) {
            throw CliException.usage("--client-id goes with --identity");
        }
        if (servicePrincipal && (username == null || password == null)) {
            throw CliException.usage("--service-principal needs -u APP_ID and -p SECRET");
        }
        if (username == null && (password != null || tenant != null)) {
            throw CliException.usage("-p and --tenant need -u (a user) or --service-principal; `enclave login` alone signs in as the platform admin");
        }
    }

    private Profile managedIdentity(ServerConnection server) {
        Optional<String> client = Optional.ofNullable(clientId != null ? clientId : username).map(String::strip).filter(id -> !id.isEmpty());
        verify(ManagedIdentityCredentials.fromEnvironment(server.http(), session.env(), client, Clock.systemUTC()));
        return new Profile.ManagedIdentity(server.tenant(), client);
    }

    private Profile servicePrincipal(ServerConnection server) {
        verify(new ClientCredentials(server.tokenEndpoint(tenant(server)), username, password));
        return new Profile.ServicePrincipal(tenant(server), username, password);
    }

    private Profile user(ServerConnection server, String secret) {
        UserCredentials user = UserCredentials.signIn(server.tokenEndpoint(tenant(server)), username, secret, rotated -> {});
        return new Profile.User(tenant(server), username, user.refreshToken());
    }

    private Profile admin(ServerConnection server) {
        AdminCredentials admin = AdminCredentials.read(session.home());
        verify(new ClientCredentials(server.tokenEndpoint(server.tenant()), admin.clientId(), admin.clientSecret()));
        return new Profile.Admin();
    }

    private String tenant(ServerConnection server) {
        return tenant != null && !tenant.isBlank() ? tenant.strip() : server.tenant();
    }

    /** A management token proves the credentials before they are saved; a wrong secret fails here with the server's 401. */
    private static void verify(TokenSource tokens) {
        tokens.token(TokenSource.MANAGEMENT);
    }
    private String prompt() {
        Console console = System.console();
        if (!session.terminal() || console == null) {
            throw CliException.usage("pass the password with -p PASSWORD (there is no terminal to ask for it)");
        }
        char[] typed = console.readPassword("Password: ");
        if (typed == null || typed.length == 0) {
            throw CliException.usage("no password given");
        }
        return new String(typed);
    }
}
