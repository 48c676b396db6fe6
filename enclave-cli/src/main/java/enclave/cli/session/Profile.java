package enclave.cli.session;

import java.util.Optional;

/**
 * Who the CLI is signed in as, and what it needs to get that principal's tokens. Kept in
 * {@code $ENCLAVE_HOME/cli/profile.json} by {@link ProfileFile}; without that file the CLI is the platform admin.
 */
public sealed interface Profile {

    /** The platform admin: the client credentials in {@code $ENCLAVE_HOME/admin.json} (nothing is stored). */
    record Admin() implements Profile {}

    /** A service principal: its app (client) id and secret, as az keeps a service principal's secret in its own files. */
    record ServicePrincipal(String tenantId, String clientId, String clientSecret) implements Profile {
        public ServicePrincipal {
            requireText(tenantId, "tenantId");
            requireText(clientId, "clientId");
            requireText(clientSecret, "clientSecret");
        }
    }

    /** A user: the refresh token from the password grant at sign-in (the password itself is never stored). */
    record User(String tenantId, String userPrincipalName, String refreshToken) implements Profile {
        public User {
            requireText(tenantId, "tenantId");
            requireText(userPrincipalName, "userPrincipalName");
            requireText(refreshToken, "refreshToken");
        }
    }

    /** The environment's managed identity: system-assigned, or the user-assigned one with this client id. */
    record ManagedIdentity(String tenantId, Optional<String> clientId) implements Profile {
        public ManagedIdentity {
            requireText(tenantId, "tenantId");
            clientId.ifPresent(id -> requireText(id, "clientId"));
        }
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a profile needs " + field);
        }
    }
}
