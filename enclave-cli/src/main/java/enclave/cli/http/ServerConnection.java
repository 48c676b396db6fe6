package enclave.cli.http;

import enclave.cli.console.CliException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Everything needed to talk to the server of one Enclave home: its {@code server.json}, TLS that trusts the
 * platform CA, the token source of whoever is signed in, and the management client that uses it.
 */
public record ServerConnection(ServerInfo info, String tenant, HttpTransport http, TokenSource tokens, ManagementClient management) {

    private static final TokenSource NOBODY = scope -> {
        throw new CliException("AuthenticationFailed", "nobody is signed in on this connection");
    };

    /** Opens the connection with nobody signed in yet: {@link #signedIn} adds whose tokens it uses. */
    public static ServerConnection open(Path home, Consumer<String> debug) {
        ServerInfo info = ServerInfo.read(home).orElseThrow(() -> new CliException("ServerNotRunning",
                "Enclave is not running (no " + ServerInfo.file(home) + "): start it with ./enclave up"));
        String tenant = info.tenantId() != null ? info.tenantId() : AdminCredentials.read(home).tenantId();
        HttpTransport http = Preconnect.take(home, info)
                .map(client -> new HttpTransport(client, debug))
                .orElseGet(() -> new HttpTransport(Tls.trusting(info.caPath(home)), debug));
        return new ServerConnection(info, tenant, http, NOBODY, new ManagementClient(managementUrl(info), http, NOBODY));
    }

    /** This connection using a principal's tokens. */
    public ServerConnection signedIn(TokenSource other) {
        return new ServerConnection(info, tenant, http, other, new ManagementClient(managementUrl(info), http, other));
    }

    /** The token endpoint of a tenant (the platform's unless a sign-in names another). */
    public TokenEndpoint tokenEndpoint(String tenantId) {
        return new TokenEndpoint(http, managementUrl(info), tenantId, Clock.systemUTC());
    }

    /** Whether {@code GET /enclave/info} answers 200 (no credentials needed). */
    public static boolean answers(ServerInfo info, Path home) {
        try {
            return answers(new HttpTransport(Tls.trusting(info.caPath(home)), line -> {}), info);
        } catch (CliException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    /** Whether {@code GET /enclave/info} answers 200 over {@code http}; any failure is a no. */
    static boolean answers(HttpTransport http, ServerInfo info) {
        try {
            return http.send("GET", HttpTransport.resolve(URI.create(info.managementUrl()), "/enclave/info"), Map.of(), null).status() == 200;
        } catch (CliException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    public String subscription() {
        return info.subscriptionId();
    }

    private static URI managementUrl(ServerInfo info) {
        return URI.create(info.managementUrl());
    }
}
