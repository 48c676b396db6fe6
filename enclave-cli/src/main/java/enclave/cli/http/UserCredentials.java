package enclave.cli.http;

import enclave.cli.console.CliException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A signed-in user: the {@code password} grant once at sign-in, then the {@code refresh_token} grant for every
 * later token. The password is never kept; when the server hands out a new refresh token with a token, it replaces
 * the old one and {@code rotated} is told, so the profile always holds the newest.
 */
public final class UserCredentials implements TokenSource {
    /** The client id az signs users in with: a public client, so it has no secret. */
    public static final String PUBLIC_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

    private final TokenEndpoint endpoint;
    private final String userName;
    private final Consumer<String> rotated;
    private final TokenCache cache;
    private String refreshToken;

    public UserCredentials(TokenEndpoint endpoint, String userName, String refreshToken, Consumer<String> rotated) {
        this.endpoint = endpoint;
        this.userName = userName;
        this.refreshToken = refreshToken;
        this.rotated = rotated;
        this.cache = new TokenCache(endpoint.clock());
    }

    /** Signs a user in with the password grant; the answer must carry a refresh token to stay signed in with. */
    public static UserCredentials signIn(TokenEndpoint endpoint, String userName, String password, Consumer<String> rotated) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", PUBLIC_CLIENT_ID);
        form.put("username", userName);
        form.put("password", password);
        form.put("scope", MANAGEMENT + " offline_access");
        TokenEndpoint.Issued issued = endpoint.redeem(form);
        String refresh = issued.refreshToken().orElseThrow(() -> new CliException("AuthenticationFailed",
                "the token endpoint signed '" + userName + "' in without a refresh_token, so the sign-in cannot be kept"));
        UserCredentials user = new UserCredentials(endpoint, userName, refresh, rotated);
        user.cache.put(MANAGEMENT, issued.accessToken());
        return user;
    }

    /** The refresh token to keep (the newest the server handed out). */
    public synchronized String refreshToken() {
        return refreshToken;
    }

    @Override
    public AccessToken token(String scope) {
        return cache.get(scope, this::refresh);
    }

    private AccessToken refresh(String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("client_id", PUBLIC_CLIENT_ID);
        form.put("refresh_token", refreshToken());
        form.put("scope", scope);
        TokenEndpoint.Issued issued;
        try {
            issued = endpoint.redeem(form);
        } catch (CliException e) {
            if (e.code().equals("AuthenticationFailed")) {
                throw new CliException(e.code(), e.getMessage() + "; sign in again with: enclave login -u " + userName);
            }
            throw e;
        }
        issued.refreshToken().ifPresent(this::replaceRefreshToken);
        return issued.accessToken();
    }

    private void replaceRefreshToken(String newer) {
        synchronized (this) {
            if (newer.equals(refreshToken)) {
                return;
            }
            refreshToken = newer;
        }
        rotated.accept(newer);
    }
}
