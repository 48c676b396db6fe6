package enclave.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * {@code $ENCLAVE_HOME/cli/profile.json}: the signed-in {@link Profile}. It holds a secret or a refresh token, so it
 * is written owner-only (0600) and atomically (a temporary file in the same directory, renamed over the old one):
 * a reader never sees half a profile. One JSON object with a {@code type}:
 * <pre>
 * {"type":"servicePrincipal","tenantId":"...","clientId":"...","clientSecret":"..."}
 * {"type":"user","tenantId":"...","userPrincipalName":"...","refreshToken":"..."}
 * {"type":"managedIdentity","tenantId":"...","clientId":"..."}   (clientId only for a user-assigned identity)
 * </pre>
 * No file means the platform admin.
 */
public final class ProfileFile {
    private ProfileFile() {}

    public static Path file(Path home) {
        return home.resolve("cli").resolve("profile.json");
    }

    public static Profile read(Path home) {
        Path file = file(home);
        if (!Files.exists(file)) {
            return new Profile.Admin();
        }
        try {
            return parse(Json.MAPPER.readTree(Files.readString(file)));
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("InvalidProfile", "cannot read " + file + " (" + e.getMessage()
                    + "); sign in again with `enclave login` or delete the file to act as the platform admin");
        }
    }

    /** Saves the profile; the admin is saved by removing the file. */
    public static void write(Path home, Profile profile) {
        if (profile instanceof Profile.Admin) {
            delete(home);
            return;
        }
        Path file = file(home);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = temporaryFile(file.getParent());
            try {
                try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    channel.write(StandardCharsets.UTF_8.encode(Json.PRETTY.writeValueAsString(toJson(profile)) + "\n"));
                    channel.force(true);
                }
                try {
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw CliException.user("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Forgets the signed-in principal: the CLI is the platform admin again. */
    public static void delete(Path home) {
        try {
            Files.deleteIfExists(file(home));
        } catch (IOException e) {
            throw CliException.user("cannot delete " + file(home) + ": " + e.getMessage());
        }
    }

    /** Created owner-only from the start, so the secret is never readable by others, not even for a moment. */
    private static Path temporaryFile(Path directory) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(directory, "profile", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createTempFile(directory, "profile", ".tmp");
    }

    static ObjectNode toJson(Profile profile) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        switch (profile) {
            case Profile.Admin admin -> json.put("type", "admin");
            case Profile.ServicePrincipal sp -> json.put("type", "servicePrincipal").put("tenantId", sp.tenantId())
                    .put("clientId", sp.clientId()).put("clientSecret", sp.clientSecret());
            case Profile.User user -> json.put("type", "user").put("tenantId", user.tenantId())
                    .put("userPrincipalName", user.userPrincipalName()).put("refreshToken", user.refreshToken());
            case Profile.ManagedIdentity identity -> {
                json.put("type", "managedIdentity").put("tenantId", identity.tenantId());
                identity.clientId().ifPresent(id -> json.put("clientId", id));
            }
        }
        return json;
    }

    static Profile parse(JsonNode json) {
        if (!json.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String type = json.path("type").asText("");
        return switch (type) {
            case "admin" -> new Profile.Admin();
            case "servicePrincipal" -> new Profile.ServicePrincipal(text(json, "tenantId"), text(json, "clientId"), text(json, "clientSecret"));
            case "user" -> new Profile.User(text(json, "tenantId"), text(json, "userPrincipalName"), text(json, "refreshToken"));
            case "managedIdentity" -> new Profile.ManagedIdentity(text(json, "tenantId"),
                    Optional.ofNullable(json.get("clientId")).map(JsonNode::asText));
            default -> throw new IllegalArgumentException("unknown profile type '" + type + "'");
        };
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }
}
