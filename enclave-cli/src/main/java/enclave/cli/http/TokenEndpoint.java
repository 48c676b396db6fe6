package enclave.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.CliException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The server's OAuth2 token endpoint, {@code POST {managementUrl}/{tenant}/oauth2/v2.0/token}: sends one grant as a
 * form and reads the answer. Errors in Enclave's shape ({@code {"error":{"code","message"}}}) and in OAuth2's
 * ({@code {"error":"invalid_grant","error_description"}}) both become {@link CliException}s.
 */
public final class TokenEndpoint {
    private static final Set<String> CREDENTIAL_ERRORS = Set.of("invalid_client", "invalid_grant", "unauthorized_client");

    private final HttpTransport http;
    private final URI uri;
    private final Clock clock;

    public TokenEndpoint(HttpTransport http, URI managementUrl, String tenant, Clock clock) {
        this.http = http;
        this.uri = HttpTransport.resolve(managementUrl, "/" + tenant + "/oauth2/v2.0/token");
        this.clock = clock;
    }

    /** What a grant gives: the access token and, for users, the refresh token to get the next ones with. */
    public record Issued(AccessToken accessToken, Optional<String> refreshToken) {}

    public Clock clock() {
        return clock;
    }

    /** Redeems one grant ({@code grant_type} and its fields, {@code scope} included) for a token. */
    public Issued redeem(Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(field -> encode(field.getKey()) + "=" + encode(field.getValue()))
                .collect(Collectors.joining("&"));
        ApiResponse response = http.send("POST", uri, Map.of("Content-Type", "application/x-www-form-urlencoded"),
                body.getBytes(StandardCharsets.UTF_8));
        String scope = form.getOrDefault("scope", "");
        if (!response.ok()) {
            CliException error = error(response);
            throw new CliException(error.code(), "cannot get a token for " + scope + ": " + error.getMessage());
        }
        JsonNode answer = response.body();
        String value = answer.path("access_token").asText("");
        if (value.isEmpty()) {
            throw new CliException("AuthenticationFailed", "the token endpoint answered without an access_token");
        }
        Instant expiresOn = clock.instant().plusSeconds(answer.path("expires_in").asLong(300));
        Optional<String> refresh = Optional.of(answer.path("refresh_token").asText("")).filter(token -> !token.isEmpty());
        return new Issued(new AccessToken(value, expiresOn), refresh);
    }

    /** The failure an identity service answered, in Enclave's error shape or OAuth2's. */
    static CliException error(ApiResponse response) {
        JsonNode error = response.body().path("error");
        if (error.isTextual()) {
            String oauthError = error.asText();
            String description = response.body().path("error_description").asText(oauthError);
            boolean credentials = response.status() == 401 || CREDENTIAL_ERRORS.contains(oauthError);
            return new CliException(credentials ? "AuthenticationFailed" : oauthError, description);
        }
        return HttpTransport.error(response);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
