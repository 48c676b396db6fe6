package enclave.serving.workspace;

import java.time.Instant;

/**
 * A workspace's key store ({@code Microsoft.KeyVault/vaults}): where Azure keeps the workspace's secrets. Enclave seals
 * connection secrets itself; the vault is the resource private endpoints (group id {@code vault}) connect to.
 *
 * @param workspace the ARM id of the workspace that owns it
 */
public record KeyVault(String id, String name, String location, String workspace, Instant createdAt) {
    public static final String TYPE = "Microsoft.KeyVault/vaults";
}
