package enclave.cli.http;

import enclave.cli.console.CliException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * Everything needed to talk to the server of one Enclave home: its {@code server.json}, the admin
 * credentials, TLS that trusts the platform CA, a token source and the management client.
 */
public record ServerConnection(ServerInfo info, HttpTransport http, TokenSource tokens, ManagementClient management) {

    public static ServerConnection open(Path home, Consumer<String> debug) {
        ServerInfo info = ServerInfo.read(home).orElseThrow(() -> new CliException("ServerNotRunning",
                "Enclave is not running (no " + ServerInfo.file(home) + "): start it with ./enclave up"));
        AdminCredentials admin = AdminCredentials.read(home);
        SSLContext ssl = Tls.trusting(info.caPath(home));
        HttpTransport http = new HttpTransport(ssl, debug);
        URI managementUrl = URI.create(info.managementUrl());
        String tenant = info.tenantId() != null ? info.tenantId() : admin.tenantId();
        TokenSource tokens = new ClientCredentials(http, managementUrl, tenant, admin.clientId(), admin.clientSecret(), Clock.systemUTC());
        return new ServerConnection(info, http, tokens, new ManagementClient(managementUrl, http, tokens));
    }

    /** Whether {@code GET /enclave/info} answers 200 (no credentials needed). */
    public static boolean answers(ServerInfo info, Path home) {
        try {
            HttpTransport http = new HttpTransport(Tls.trusting(info.caPath(home)), line -> {});
            return http.send("GET", HttpTransport.resolve(URI.create(info.managementUrl()), "/enclave/info"), Map.of(), null).status() == 200;
        } catch (CliException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    public String subscription() {
        return info.subscriptionId();
    }
}
