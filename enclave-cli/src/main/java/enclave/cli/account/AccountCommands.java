package enclave.cli.account;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.http.AccessToken;
import enclave.cli.http.ServerConnection;
import enclave.cli.http.TokenSource;
import enclave.cli.session.Accounts;
import enclave.cli.session.Profile;
import enclave.cli.session.Session;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code enclave account ...}, as {@code az account}: the signed-in account and its access tokens. */
@Command(name = "account", description = "Show the signed-in account and get access tokens.")
public final class AccountCommands implements Runnable {
    /** How az shows {@code expiresOn}: local time with microseconds. */
    static final DateTimeFormatter EXPIRES_ON = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
    static final String DEFAULT_RESOURCE = "https://management.azure.com";

    private final Session session;

    @Spec
    CommandSpec spec;

    public AccountCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    @Command(name = "show", description = "Show the signed-in account (subscription, tenant and user).")
    int show() {
        Profile profile = session.profile();
        session.output().print(Accounts.account(profile, session.connection(), session.home(), "environmentName"));
        return 0;
    }

    @Command(name = "get-access-token", description = "Get an access token of the signed-in principal (default: for management).")
    int getAccessToken(
            @Option(names = "--resource", paramLabel = "URI", description = "The resource, e.g. https://ml.azure.com (default: "
                    + DEFAULT_RESOURCE + ").") String resource,
            @Option(names = "--scope", arity = "1..*", paramLabel = "SCOPE", description = "OAuth2 scopes instead, e.g. https://ml.azure.com/.default.")
            List<String> scopes) {
        if (resource != null && scopes != null) {
            throw CliException.usage("pass --resource or --scope, not both");
        }
        String scope = scopes != null ? String.join(" ", scopes).strip() : scopeOf(resource != null ? resource : DEFAULT_RESOURCE);
        if (scope.isEmpty()) {
            throw CliException.usage("--scope must not be empty");
        }
        Profile profile = session.profile();
        ServerConnection server = session.connection();
        AccessToken token = server.tokens().token(scope);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("accessToken", token.value());
        // az prints whole seconds (expires_on is epoch seconds), so both fields name the same moment
        answer.put("expiresOn", EXPIRES_ON.format(token.expiresOn().truncatedTo(ChronoUnit.SECONDS).atZone(ZoneId.systemDefault())));
        answer.put("expires_on", token.expiresOn().getEpochSecond());
        answer.put("subscription", server.subscription());
        answer.put("tenant", Accounts.tenant(profile, server));
        answer.put("tokenType", "Bearer");
        session.output().print(answer);
        return 0;
    }

    /** az's v1 resource to a v2 scope: {@code https://ml.azure.com/} is {@code https://ml.azure.com/.default}. */
    static String scopeOf(String resource) {
        String trimmed = resource.strip().replaceAll("/+$", "");
        if (trimmed.isEmpty()) {
            throw CliException.usage("--resource must not be empty");
        }
        return trimmed + "/.default";
    }
}
