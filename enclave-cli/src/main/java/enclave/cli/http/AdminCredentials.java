package enclave.cli.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code $ENCLAVE_HOME/admin.json}: the admin service principal the CLI signs in as. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AdminCredentials(String tenantId, String subscriptionId, String clientId, String clientSecret, String objectId) {

    public static AdminCredentials read(Path home) {
        Path file = home.resolve("admin.json");
        if (!Files.exists(file)) {
            throw new CliException("ServerNotRunning", file + " does not exist: start the server with ./enclave up");
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), AdminCredentials.class);
        } catch (IOException e) {
            throw new CliException("AuthenticationFailed", "cannot read " + file + ": " + e.getMessage());
        }
    }
}
