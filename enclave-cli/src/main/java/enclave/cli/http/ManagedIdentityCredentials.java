package enclave.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.CliException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Tokens of the managed identity the environment offers, the way Azure's hosts offer them: App Service's
 * {@code IDENTITY_ENDPOINT} + {@code IDENTITY_HEADER} (api-version 2019-08-01) or the older {@code MSI_ENDPOINT} +
 * {@code MSI_SECRET} (2017-09-01). Without either there is no managed identity here, and signing in with one fails.
 */
public final class ManagedIdentityCredentials implements TokenSource {
    private static final DateTimeFormatter LEGACY_EXPIRY = DateTimeFormatter.ofPattern("MM/dd/yyyy hh:mm:ss a XXX", Locale.ROOT);

    /** One of the two protocols: where to ask, the header that proves the caller runs on the host, the parameter names. */
    private record Source(URI endpoint, String header, String secret, String apiVersion, String clientIdParameter) {}

    private final HttpTransport http;
    private final Map<String, String> env;
    private final Optional<String> clientId;
    private final Clock clock;
    private final TokenCache cache;

    private ManagedIdentityCredentials(HttpTransport http, Map<String, String> env, Optional<String> clientId, Clock clock) {
        this.http = http;
        this.env = Map.copyOf(env);
        this.clientId = clientId;
        this.clock = clock;
        this.cache = new TokenCache(clock);
    }

    /**
     * The managed identity of this environment (a user-assigned one when {@code clientId} is given). The environment is
     * read when a token is wanted, so a profile of a managed identity can still be shown elsewhere.
     */
    public static ManagedIdentityCredentials fromEnvironment(HttpTransport http, Map<String, String> env, Optional<String> clientId, Clock clock) {
        return new ManagedIdentityCredentials(http, env, clientId, clock);
    }

    private static Source source(Map<String, String> env) {
        Optional<String> identityEndpoint = variable(env, "IDENTITY_ENDPOINT");
        if (identityEndpoint.isPresent()) {
            String header = variable(env, "IDENTITY_HEADER").orElseThrow(() -> unavailable("IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not"));
            return new Source(uri("IDENTITY_ENDPOINT", identityEndpoint.get()), "X-IDENTITY-HEADER", header, "2019-08-01", "client_id");
        }
        Optional<String> msiEndpoint = variable(env, "MSI_ENDPOINT");
        if (msiEndpoint.isPresent()) {
            String secret = variable(env, "MSI_SECRET").orElseThrow(() -> unavailable("MSI_ENDPOINT is set but MSI_SECRET is not"));
            return new Source(uri("MSI_ENDPOINT", msiEndpoint.get()), "secret", secret, "2017-09-01", "clientid");
        }
        throw unavailable("IDENTITY_ENDPOINT is not set");
    }

    @Override
    public AccessToken token(String scope) {
        return cache.get(scope, this::fetch);
    }

    private AccessToken fetch(String scope) {
        Source source = source(env);
        String resource = resource(scope);
        StringBuilder query = new StringBuilder(source.endpoint().getRawQuery() == null ? "?" : "&")
                .append("resource=").append(encode(resource))
                .append("&api-version=").append(source.apiVersion());
        clientId.ifPresent(id -> query.append('&').append(source.clientIdParameter()).append('=').append(encode(id)));
        URI uri = URI.create(source.endpoint() + query.toString());
        ApiResponse response;
        try {
            response = http.send("GET", uri, Map.of(source.header(), source.secret()), null);
        } catch (CliException e) {
            if (e.code().equals("ServerNotRunning")) {
                throw unavailable("the managed identity endpoint " + source.endpoint() + " does not answer");
            }
            throw e;
        }
        if (!response.ok()) {
            CliException error = TokenEndpoint.error(response);
            throw new CliException(error.code(), "the managed identity endpoint gave no token for " + resource + ": " + error.getMessage());
        }
        JsonNode answer = response.body();
        String value = answer.path("access_token").asText("");
        if (value.isEmpty()) {
            throw new CliException("AuthenticationFailed", "the managed identity endpoint answered without an access_token");
        }
        return new AccessToken(value, expiresOn(answer));
    }

    /** {@code expires_on} is epoch seconds (a number or a string); the 2017 protocol may send a date instead. */
    private Instant expiresOn(JsonNode answer) {
        String expiresOn = answer.path("expires_on").asText("").strip();
        if (expiresOn.matches("\\d+")) {
            return Instant.ofEpochSecond(Long.parseLong(expiresOn));
        }
        if (!expiresOn.isEmpty()) {
            try {
                return OffsetDateTime.parse(expiresOn, LEGACY_EXPIRY).toInstant();
            } catch (DateTimeParseException e) {
                // fall through to expires_in
            }
        }
        return clock.instant().plusSeconds(answer.path("expires_in").asLong(300));
    }

    /** The resource a scope names: {@code https://ml.azure.com/.default} is {@code https://ml.azure.com}. */
    static String resource(String scope) {
        String first = scope.strip().split("\\s+")[0];
        return first.endsWith("/.default") ? first.substring(0, first.length() - "/.default".length()) : first;
    }

    private static Optional<String> variable(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(value -> !value.isEmpty());
    }

    private static URI uri(String variable, String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw unavailable(variable + " '" + value + "' is not an http(s) url");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw unavailable(variable + " '" + value + "' is not a url: " + e.getMessage());
        }
    }

    private static CliException unavailable(String why) {
        return new CliException("ManagedIdentityUnavailable", "no managed identity is available here (" + why + ")");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
