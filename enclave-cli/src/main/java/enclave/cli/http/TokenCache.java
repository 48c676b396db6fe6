package enclave.cli.http;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Access tokens by scope for the life of the process; one that expires within two minutes is fetched again. */
final class TokenCache {
    private static final Duration EARLY_REFRESH = Duration.ofMinutes(2);

    private final Clock clock;
    private final Map<String, AccessToken> tokens = new HashMap<>();

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    synchronized AccessToken get(String scope, Function<String, AccessToken> fetch) {
        AccessToken cached = tokens.get(scope);
        if (cached != null && clock.instant().plus(EARLY_REFRESH).isBefore(cached.expiresOn())) {
            return cached;
        }
        AccessToken fresh = fetch.apply(scope);
        tokens.put(scope, fresh);
        return fresh;
    }

    synchronized void put(String scope, AccessToken token) {
        tokens.put(scope, token);
    }
}
