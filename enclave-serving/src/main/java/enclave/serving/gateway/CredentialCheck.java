package enclave.serving.gateway;

import enclave.core.http.Caller;
import enclave.serving.endpoint.EndpointKeys;
import enclave.serving.endpoint.OnlineEndpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Establishes who is calling an endpoint, by the endpoint's auth mode. */
public final class CredentialCheck {

    /** The outcome; refusals carry the message the caller sees. */
    public sealed interface Outcome {
        record Authenticated(Caller caller) implements Outcome {}

        record Refused(String reason) implements Outcome {}
    }

    public Outcome check(OnlineEndpoint endpoint, Optional<String> authorization) {
        Optional<String> bearer = authorization.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim());
        if (bearer.isEmpty() || bearer.get().isEmpty()) {
            return new Outcome.Refused("this endpoint needs 'Authorization: Bearer <key>' (auth mode " + endpoint.authMode().yaml()
                    + "); get a key with: enclave ml online-endpoint get-credentials -n " + endpoint.name());
        }
        return switch (endpoint.authMode()) {
            case Key -> checkKey(endpoint, bearer.get());
            case AMLToken, AADToken -> new Outcome.Refused("auth mode " + endpoint.authMode().yaml() + " is not available in this Enclave version");
        };
    }

    private static Outcome checkKey(OnlineEndpoint endpoint, String presented) {
        EndpointKeys keys = endpoint.keys();
        // Compare both keys every time, in constant time, so timing tells nothing about either.
        boolean primary = constantTimeEquals(presented, keys.primaryKey());
        boolean secondary = constantTimeEquals(presented, keys.secondaryKey());
        if (primary || secondary) {
            String which = primary ? "primary" : "secondary";
            return new Outcome.Authenticated(new Caller("key:" + which, "", endpoint.name() + " " + which + " key", Optional.empty(), "key"));
        }
        return new Outcome.Refused("the key is not valid for endpoint '" + endpoint.name() + "' (it may have been regenerated)");
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
