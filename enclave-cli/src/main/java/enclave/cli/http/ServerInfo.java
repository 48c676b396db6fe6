package enclave.cli.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** {@code $ENCLAVE_HOME/server.json}: written by a server once it is ready, deleted on clean shutdown. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ServerInfo(
        String version,
        long pid,
        String home,
        String managementUrl,
        String gatewayUrl,
        String scoringUrlBase,
        String caFile,
        String tenantId,
        String subscriptionId,
        String location,
        String dnsAddress,
        Integer dnsPort) {

    public static Path file(Path home) {
        return home.resolve("server.json");
    }

    public static Optional<ServerInfo> read(Path home) {
        Path file = file(home);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(file.toFile(), ServerInfo.class));
        } catch (IOException e) {
            throw new CliException("ServerNotRunning", file + " cannot be read (" + e.getMessage()
                    + "); if no server is running, delete it and run ./enclave up");
        }
    }

    /** The CA file, resolved against the home when the server wrote a relative path. */
    public Path caPath(Path homeDir) {
        String ca = caFile == null || caFile.isBlank() ? "tls/ca.pem" : caFile;
        return homeDir.resolve(ca);
    }

    public String locationOrDefault() {
        return location == null || location.isBlank() ? "local" : location;
    }
}
