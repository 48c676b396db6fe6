package enclave.cli.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OAuth2 client-credentials grant (the admin and service principals): {@code client_id}, {@code client_secret}
 * and {@code scope} to the token endpoint, with one cached token per scope for the life of the process.
 */
public final class ClientCredentials implements TokenSource {
    private final TokenEndpoint endpoint;
    private final String clientId;
    private final String clientSecret;
    private final TokenCache cache;

    public ClientCredentials(TokenEndpoint endpoint, String clientId, String clientSecret) {
        this.endpoint = endpoint;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.cache = new TokenCache(endpoint.clock());
    }

    @Override
    public AccessToken token(String scope) {
        return cache.get(scope, this::fetch);
    }

    private AccessToken fetch(String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.put("scope", scope);
        return endpoint.redeem(form).accessToken();
    }
}
