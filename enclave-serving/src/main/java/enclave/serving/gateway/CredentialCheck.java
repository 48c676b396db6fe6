package enclave.serving.gateway;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.identity.Audiences;
import enclave.identity.TokenService;
import enclave.serving.endpoint.EndpointKeys;
import enclave.serving.endpoint.OnlineEndpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Establishes who is calling an endpoint, by the endpoint's auth mode, and for {@code aad_token} whether they may score.
 * Keys and {@code aml_token}s are the permission themselves (as in Azure); an {@code aad_token} caller needs the score action.
 */
public final class CredentialCheck {
    public static final String SCORE_ACTION = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action";

    private final TokenService tokens;
    private final Authorizer authorizer;

    public CredentialCheck(TokenService tokens, Authorizer authorizer) {
        this.tokens = tokens;
        this.authorizer = authorizer;
    }

    /** The outcome: a caller, a 401 (who are you?) or a 403 (you may not). */
    public sealed interface Outcome {
        record Authenticated(Caller caller) implements Outcome {}

        record Refused(String reason) implements Outcome {}

        record Forbidden(String reason) implements Outcome {}
    }

    /** @param bearer the request's bearer credential ({@code Http.bearer}), if it has one */
    public Outcome check(ResourceId endpointId, OnlineEndpoint endpoint, Optional<String> bearer) {
        if (bearer.isEmpty()) {
            return new Outcome.Refused("this endpoint needs 'Authorization: Bearer <" + switch (endpoint.authMode()) {
                case Key -> "key";
                case AMLToken, AADToken -> "token";
            } + ">' (auth mode " + endpoint.authMode().yaml() + "); get one with: enclave ml online-endpoint get-credentials -n " + endpoint.name());
        }
        return switch (endpoint.authMode()) {
            case Key -> checkKey(endpoint, bearer.get());
            case AMLToken -> checkToken(endpoint, bearer.get(), TokenService.endpointAudience(endpointId.key()), "aml_token");
            case AADToken -> {
                Outcome outcome = checkToken(endpoint, bearer.get(), Audiences.ML, "aad_token");
                if (outcome instanceof Outcome.Authenticated authenticated
                        && authorizer.check(authenticated.caller(), SCORE_ACTION, endpointId) instanceof Decision.Denied denied) {
                    yield new Outcome.Forbidden("'" + authenticated.caller().displayName() + "' (" + authenticated.caller().objectId()
                            + ") may not score endpoint '" + endpoint.name() + "': it needs " + SCORE_ACTION + " on the endpoint or above (" + denied.reason() + ")");
                }
                yield outcome;
            }
        };
    }

    private Outcome checkToken(OnlineEndpoint endpoint, String token, String audience, String mode) {
        try {
            return new Outcome.Authenticated(tokens.validate(token, audience));
        } catch (EnclaveException e) {
            return new Outcome.Refused("the " + mode + " is not valid for endpoint '" + endpoint.name() + "': " + e.getMessage());
        }
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
