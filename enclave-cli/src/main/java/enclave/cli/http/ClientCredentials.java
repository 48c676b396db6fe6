package enclave.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.CliException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The OAuth2 client-credentials grant against the server's token endpoint
 * ({@code POST {managementUrl}/{tenant}/oauth2/v2.0/token}), with one cached token per scope for the
 * life of the process.
 */
public final class ClientCredentials implements TokenSource {
    private static final Duration EARLY_REFRESH = Duration.ofMinutes(2);

    private final HttpTransport http;
    private final URI tokenEndpoint;
    private final String clientId;
    private final String clientSecret;
    private final Clock clock;
    private final Map<String, AccessToken> cache = new HashMap<>();

    public ClientCredentials(HttpTransport http, URI managementUrl, String tenantId, String clientId, String clientSecret, Clock clock) {
        this.http = http;
        this.tokenEndpoint = HttpTransport.resolve(managementUrl, "/" + tenantId + "/oauth2/v2.0/token");
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.clock = clock;
    }

    @Override
    public synchronized AccessToken token(String scope) {
        AccessToken cached = cache.get(scope);
        if (cached != null && clock.instant().plus(EARLY_REFRESH).isBefore(cached.expiresOn())) {
            return cached;
        }
        String form = "grant_type=client_credentials"
                + "&client_id=" + encode(clientId)
                + "&client_secret=" + encode(clientSecret)
                + "&scope=" + encode(scope);
        ApiResponse response = http.send("POST", tokenEndpoint, Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form.getBytes(StandardCharsets.UTF_8));
        if (!response.ok()) {
            CliException error = HttpTransport.error(response);
            throw new CliException(error.code(), "cannot get a token for " + scope + ": " + error.getMessage());
        }
        JsonNode body = response.body();
        String value = body.path("access_token").asText("");
        if (value.isEmpty()) {
            throw new CliException("AuthenticationFailed", "the token endpoint answered without an access_token");
        }
        Instant expiresOn = clock.instant().plusSeconds(body.path("expires_in").asLong(300));
        AccessToken token = new AccessToken(value, expiresOn);
        cache.put(scope, token);
        return token;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
