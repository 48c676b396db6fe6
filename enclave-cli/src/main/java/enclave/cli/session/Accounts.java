package enclave.cli.session;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.http.AdminCredentials;
import enclave.cli.http.ClientCredentials;
import enclave.cli.http.ManagedIdentityCredentials;
import enclave.cli.http.ServerConnection;
import enclave.cli.http.TokenSource;
import enclave.cli.http.UserCredentials;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** What a {@link Profile} means: how its tokens are obtained, and the account az would show for it. */
public final class Accounts {
    /** The platform has one subscription; az shows a subscription's display name, this is ours. */
    public static final String SUBSCRIPTION_NAME = "Enclave";

    private Accounts() {}

    /** The token source of the signed-in profile; a user's rotated refresh token is written back to the profile. */
    public static TokenSource tokens(Profile profile, ServerConnection server, Path home, Map<String, String> env) {
        return switch (profile) {
            case Profile.Admin admin -> {
                AdminCredentials credentials = AdminCredentials.read(home);
                yield new ClientCredentials(server.tokenEndpoint(server.tenant()), credentials.clientId(), credentials.clientSecret());
            }
            case Profile.ServicePrincipal sp -> new ClientCredentials(server.tokenEndpoint(sp.tenantId()), sp.clientId(), sp.clientSecret());
            case Profile.User user -> new UserCredentials(server.tokenEndpoint(user.tenantId()), user.userPrincipalName(), user.refreshToken(),
                    rotated -> keepRotated(home, user, rotated));
            case Profile.ManagedIdentity identity -> ManagedIdentityCredentials.fromEnvironment(server.http(), env, identity.clientId(), Clock.systemUTC());
        };
    }

    /** Saves a user's newer refresh token, unless someone signed out or in as another principal meanwhile. */
    private static void keepRotated(Path home, Profile.User user, String rotated) {
        if (ProfileFile.read(home) instanceof Profile.User current && current.userPrincipalName().equals(user.userPrincipalName())) {
            ProfileFile.write(home, new Profile.User(user.tenantId(), user.userPrincipalName(), rotated));
        }
    }

    /** The tenant the profile signs in to. */
    public static String tenant(Profile profile, ServerConnection server) {
        return switch (profile) {
            case Profile.Admin admin -> server.tenant();
            case Profile.ServicePrincipal sp -> sp.tenantId();
            case Profile.User user -> user.tenantId();
            case Profile.ManagedIdentity identity -> identity.tenantId();
        };
    }

    /**
     * The account as {@code az account show} prints it ({@code az login} prints a list of these with
     * {@code cloudName} for {@code environmentName}).
     */
    public static ObjectNode account(Profile profile, ServerConnection server, Path home, String environmentField) {
        String tenant = tenant(profile, server);
        ObjectNode account = JsonNodeFactory.instance.objectNode();
        account.put(environmentField, "Enclave");
        account.put("homeTenantId", tenant);
        account.put("id", server.subscription());
        account.put("isDefault", true);
        account.putArray("managedByTenants");
        account.put("name", SUBSCRIPTION_NAME);
        account.put("state", "Enabled");
        account.put("tenantId", tenant);
        ObjectNode user = account.putObject("user");
        switch (profile) {
            case Profile.Admin admin -> user.put("name", AdminCredentials.read(home).clientId()).put("type", "servicePrincipal");
            case Profile.ServicePrincipal sp -> user.put("name", sp.clientId()).put("type", "servicePrincipal");
            case Profile.User signedIn -> user.put("name", signedIn.userPrincipalName()).put("type", "user");
            case Profile.ManagedIdentity identity -> {
                // az's names for the two kinds of managed identity
                user.put("assignedIdentityInfo", identity.clientId().map(id -> "MSIClient-" + id).orElse("MSI"));
                user.put("name", identity.clientId().isPresent() ? "userAssignedIdentity" : "systemAssignedIdentity");
                user.put("type", "servicePrincipal");
            }
        }
        return account;
    }
}
