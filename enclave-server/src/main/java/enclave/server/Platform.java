package enclave.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.identity.Principals;
import enclave.store.ResourceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The platform's own identity, made on first start: one tenant, one subscription, and an admin service principal whose
 * credentials the CLI reads from {@code <home>/admin.json} (mode 0600).
 */
public record Platform(String tenantId, String subscriptionId, String adminObjectId, Instant createdAt) {
    static final String TYPE = "Microsoft.Resources/subscriptions";

    static Platform bootstrap(ResourceStore store, Principals principals, Path home) {
        List<Platform> existing = store.allOfType(TYPE, Platform.class);
        if (!existing.isEmpty()) {
            return existing.getFirst();
        }
        String tenant = UUID.randomUUID().toString();
        String subscription = UUID.randomUUID().toString();
        Principals.Created admin = principals.createServicePrincipal(tenant, "enclave-admin");
        Platform platform = new Platform(tenant, subscription, admin.principal().objectId(), Instant.now());
        writeAdminCredentials(home.resolve("admin.json"), platform, admin);
        store.put(ResourceId.subscription(subscription), platform);
        return platform;
    }

    private static void writeAdminCredentials(Path file, Platform platform, Principals.Created admin) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("tenantId", platform.tenantId());
        json.put("subscriptionId", platform.subscriptionId());
        json.put("clientId", admin.principal().appId().orElseThrow());
        json.put("clientSecret", admin.secret());
        json.put("objectId", admin.principal().objectId());
        try {
            Path temp = file.resolveSibling("admin.json.tmp");
            Files.writeString(temp, Json.PRETTY.writeValueAsString(json));
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX: the data directory's permissions protect it
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the admin credentials to " + file, e);
        }
    }
}
