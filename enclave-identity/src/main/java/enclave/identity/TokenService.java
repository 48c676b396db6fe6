package enclave.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.http.Caller;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Issues and validates the platform's JWTs (RS256). Parsing and verification are nimbus-jose-jwt's, never ours. */
public final class TokenService {
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    /** Refresh tokens carry this audience, which no resource accepts, so they can never be used as access tokens. */
    public static final String REFRESH_AUDIENCE = "urn:enclave:refresh";
    public static final Duration REFRESH_LIFETIME = Duration.ofDays(1);
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    // Bounds the cache of validated tokens; when it is full it starts over (tokens live an hour, so this is rare).
    private static final int MAX_CACHED_TOKENS = 10_000;

    private final SigningKeys keys;
    private final String issuer;
    private final String tenantId;
    private final Clock clock;
    private final Map<String, Validated> validated = new ConcurrentHashMap<>();
    private volatile long validatedWithKeys;

    /** A token that passed every check for {@code audience}: valid until {@code validUntil} (its expiry plus the skew). */
    private record Validated(String audience, Caller caller, Instant validUntil) {}

    /** @param issuer the {@code iss} of every token, e.g. {@code https://127.0.0.1:47443/<tenant>/v2.0} */
    public TokenService(SigningKeys keys, String issuer, String tenantId, Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.tenantId = tenantId;
        this.clock = clock;
    }

    public String issuer() {
        return issuer;
    }

    /** A signed access token; the answer carries the token and when it expires. */
    public record IssuedToken(String accessToken, Instant expiresOn) {}

    public IssuedToken issue(Principal principal, String audience, Duration lifetime) {
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(principal.objectId())
                .claim("oid", principal.objectId())
                .claim("tid", principal.tenantId())
                .claim("name", principal.displayName())
                .claim("idtyp", principal.kind() == PrincipalKind.USER ? "user" : "app")
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .jwtID(UUID.randomUUID().toString());
        principal.appId().ifPresent(appId -> claims.claim("appid", appId).claim("azp", appId));
        RSAKey key = keys.current();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims.build());
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new IssuedToken(jwt.serialize(), expires);
    }

    /**
     * Validates a bearer token for one audience: signature by a published key (RS256 only), issuer, audience,
     * expiry and not-before. Any failure is a 401 whose message says which check failed.
     */
    public Caller validate(String token, String audience) {
        // Verifying an RS256 signature costs tens of microseconds; a scoring client sends the same token for an hour.
        // A token's checks depend only on its bytes, the audience and the time, so a validated token is remembered by
        // its exact text until it expires, and forgotten when a signing key is added or withdrawn.
        long keyGeneration = keys.generation();
        if (keyGeneration != validatedWithKeys) {
            // A key was withdrawn (or added): what it verified may no longer stand.
            validated.clear();
            validatedWithKeys = keyGeneration;
        }
        Validated known = validated.get(token);
        if (known != null && known.audience().equals(audience)) {
            if (!clock.instant().isAfter(known.validUntil())) {
                return known.caller();
            }
            validated.remove(token, known);
        }
        Validated fresh = verify(token, audience);
        if (validated.size() >= MAX_CACHED_TOKENS) {
            validated.clear();
        }
        if (keys.generation() == keyGeneration) {
            validated.put(token, fresh);
        }
        return fresh.caller();
    }

    private Validated verify(String token, String audience) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        JWKSource<SecurityContext> source = (selector, context) -> selector.select(keys.publicKeys());
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, source));
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                new HashSet<>(List.of("exp", "nbf", "iat", "oid", "tid"))) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        verifier.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        processor.setJWTClaimsSetVerifier(verifier);
        try {
            JWTClaimsSet claims = processor.process(token, null);
            Caller caller = new Caller(claims.getStringClaim("oid"), claims.getStringClaim("tid"),
                    Optional.ofNullable(claims.getStringClaim("name")).orElse(claims.getStringClaim("oid")),
                    Optional.ofNullable(claims.getStringClaim("appid")), audience);
            return new Validated(audience, caller, claims.getExpirationTime().toInstant().plus(CLOCK_SKEW));
        } catch (ExpiredJWTException e) {
            throw new EnclaveException(ErrorCode.ExpiredAuthenticationToken, "the access token has expired; get a new one");
        } catch (BadJWTException e) {
            throw new EnclaveException(ErrorCode.InvalidAuthenticationToken, "the access token is not valid here: " + e.getMessage()
                    + " (expected audience " + audience + ", issuer " + issuer + ")");
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new EnclaveException(ErrorCode.InvalidAuthenticationToken, "the access token is not valid: " + e.getMessage());
        }
    }

    public String tenantId() {
        return tenantId;
    }

    public IssuedToken issueRefresh(Principal principal) {
        return issue(principal, REFRESH_AUDIENCE, REFRESH_LIFETIME);
    }

    /** The object id a refresh token was issued to; a 401 when it is not a valid refresh token of ours. */
    public String validateRefresh(String refreshToken) {
        return validate(refreshToken, REFRESH_AUDIENCE).objectId();
    }

    /** The audience of the platform tokens ({@code aml_token}) of one endpoint: valid for that endpoint only. */
    public static String endpointAudience(String endpointIdKey) {
        return "urn:enclave:aml-token:" + endpointIdKey;
    }

}
