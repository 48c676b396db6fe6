package enclave.serving.connection;

import java.time.Instant;
import java.util.Map;

/**
 * A named credential for an outside service, kept in the workspace's key store. The credentials are stored sealed
 * ({@link enclave.store.SecretBox}); this record never holds them in the clear.
 *
 * @param sealedCredentials the credentials JSON, encrypted with the data directory's secret key, bound to the connection id
 */
public record WorkspaceConnection(String id, String name, String category, String target, String authType, Map<String, String> metadata,
        String sealedCredentials, Instant createdAt) {
    public WorkspaceConnection {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
