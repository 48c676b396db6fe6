package enclave.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forged, altered and misused tokens are refused; each case is one way an attacker would try. */
class TokenServiceTest {
    private static final String ISSUER = "https://127.0.0.1:47443/tenant-1/v2.0";
    private static final Principal ALICE = new Principal("oid-alice", "tenant-1", PrincipalKind.SERVICE_PRINCIPAL, Optional.of("app-alice"), "alice");

    @TempDir
    Path keysDir;

    private SigningKeys keys;
    private MutableClock clock;
    private TokenService tokens;

    @BeforeEach
    void setUp() {
        keys = SigningKeys.open(keysDir);
        clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        tokens = new TokenService(keys, ISSUER, "tenant-1", clock);
    }

    @Test
    void aTokenItIssuedValidatesForItsAudience() {
        String token = tokens.issue(ALICE, Audiences.MANAGEMENT, Duration.ofHours(1)).accessToken();
        assertThat(tokens.validate(token, Audiences.MANAGEMENT).objectId()).isEqualTo("oid-alice");
        assertThat(tokens.validate(token, Audiences.MANAGEMENT).appId()).hasValue("app-alice");
    }

    @Test
    void refusesAnUnsignedToken() {
        String unsigned = new PlainJWT(new PlainHeader(), claims(Audiences.MANAGEMENT, ISSUER, Duration.ZERO, Duration.ofHours(1)).build()).serialize();
        assertRefused(unsigned, Audiences.MANAGEMENT, ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void refusesAnHmacTokenSignedWithThePublicKey() throws Exception {
        byte[] publicKey = keys.current().toPublicJWK().toRSAPublicKey().getEncoded();
        byte[] secret = java.util.Arrays.copyOf(publicKey, Math.max(publicKey.length, 32));
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keys.current().getKeyID()).type(JOSEObjectType.JWT).build(),
                claims(Audiences.MANAGEMENT, ISSUER, Duration.ZERO, Duration.ofHours(1)).build());
        forged.sign(new MACSigner(secret));
        assertRefused(forged.serialize(), Audiences.MANAGEMENT, ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void refusesATamperedPayload() {
        String token = tokens.issue(ALICE, Audiences.MANAGEMENT, Duration.ofHours(1)).accessToken();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("oid-alice", "oid-admin");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
        assertRefused(tampered, Audiences.MANAGEMENT, ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void refusesAWrongIssuer() throws Exception {
        assertRefused(signed(keys.current(), claims(Audiences.MANAGEMENT, "https://evil.example/tenant-1/v2.0", Duration.ZERO, Duration.ofHours(1))),
                Audiences.MANAGEMENT, ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void refusesATokenForAnotherAudience() {
        String storage = tokens.issue(ALICE, Audiences.STORAGE, Duration.ofHours(1)).accessToken();
        assertRefused(storage, Audiences.MANAGEMENT, ErrorCode.InvalidAuthenticationToken);
        assertRefused(storage, Audiences.ML, ErrorCode.InvalidAuthenticationToken);
        assertThat(tokens.validate(storage, Audiences.STORAGE).objectId()).isEqualTo("oid-alice");
    }

    @Test
    void aTokenAcceptedBeforeIsRefusedOnceItExpires() {
        String token = tokens.issue(ALICE, Audiences.MANAGEMENT, Duration.ofMinutes(5)).accessToken();
        assertThat(tokens.validate(token, Audiences.MANAGEMENT).objectId()).isEqualTo("oid-alice");
        clock.advance(Duration.ofMinutes(5).plusSeconds(29));
        assertThat(tokens.validate(token, Audiences.MANAGEMENT).objectId()).isEqualTo("oid-alice");
        clock.advance(Duration.ofSeconds(2));
        assertRefused(token, Audiences.MANAGEMENT, ErrorCode.ExpiredAuthenticationToken);
    }

    @Test
    void aTokenAcceptedForOneAudienceIsStillRefusedForAnother() {
        String token = tokens.issue(ALICE, Audiences.ML, Duration.ofHours(1)).accessToken();
        assertThat(tokens.validate(token, Audiences.ML).objectId()).isEqualTo("oid-alice");
        assertRefused(token, Audiences.MANAGEMENT, ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void refusesAnExpiredToken() {
        String token = tokens.issue(ALICE, Audiences.MANAGEMENT, Duration.ofMinutes(5)).accessToken();
        clock.advance(Duration.ofMinutes(6));
        assertRefused(token, Audiences.MANAGEMENT, ErrorCode.ExpiredAuthenticationToken);
    }

    @Test
    void refusesATokenNotYetValid() throws Exception {
        assertRefused(signed(keys.current(), claims(Audiences.MANAGEMENT, ISSUER, Duration.ofMinutes(10), Duration.ofHours(1))), Audiences.MANAGEMENT,
                ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void refusesATokenFromAnUnknownKey() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID(keys.current().getKeyID()).generate();
        assertRefused(signed(stranger, claims(Audiences.MANAGEMENT, ISSUER, Duration.ZERO, Duration.ofHours(1))), Audiences.MANAGEMENT,
                ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void aRefreshTokenIsNeverAnAccessToken() {
        String refresh = tokens.issueRefresh(ALICE).accessToken();
        for (String audience : Audiences.ALL) {
            assertRefused(refresh, audience, ErrorCode.InvalidAuthenticationToken);
        }
        assertThat(tokens.validateRefresh(refresh)).isEqualTo("oid-alice");
        assertThatThrownBy(() -> tokens.validateRefresh(tokens.issue(ALICE, Audiences.MANAGEMENT, Duration.ofHours(1)).accessToken()))
                .isInstanceOf(EnclaveException.class);
    }

    @Test
    void anAmlTokenIsValidForItsEndpointOnly() {
        String token = tokens.issue(ALICE, TokenService.endpointAudience("/subscriptions/s/x/ep1"), Duration.ofHours(1)).accessToken();
        assertThat(tokens.validate(token, TokenService.endpointAudience("/subscriptions/s/x/ep1")).objectId()).isEqualTo("oid-alice");
        assertRefused(token, TokenService.endpointAudience("/subscriptions/s/x/ep2"), ErrorCode.InvalidAuthenticationToken);
        assertRefused(token, Audiences.ML, ErrorCode.InvalidAuthenticationToken);
    }

    @Test
    void rotatedKeysKeepOldTokensValidUntilTheyRetire() {
        String before = tokens.issue(ALICE, Audiences.MANAGEMENT, Duration.ofHours(1)).accessToken();
        String oldKey = keys.current().getKeyID();
        keys.rotate();
        assertThat(keys.current().getKeyID()).isNotEqualTo(oldKey);
        assertThat(keys.publicKeys().getKeys()).extracting(k -> k.getKeyID()).contains(oldKey);
        assertThat(tokens.validate(before, Audiences.MANAGEMENT).objectId()).isEqualTo("oid-alice");
        String after = tokens.issue(ALICE, Audiences.MANAGEMENT, Duration.ofHours(1)).accessToken();
        assertThat(SignedJwtKid.of(after)).isEqualTo(keys.current().getKeyID());

        // once the newer key has signed for longer than any token lives, the old key is withdrawn and its tokens stop working
        keys.maintain(Instant.now().plus(Duration.ofDays(2)), Duration.ofDays(30), Duration.ofDays(1));
        assertThat(keys.publicKeys().getKeys()).extracting(k -> k.getKeyID()).doesNotContain(oldKey);
        assertRefused(before, Audiences.MANAGEMENT, ErrorCode.InvalidAuthenticationToken);
        assertThat(SigningKeys.open(keysDir).keyIds()).doesNotContain(oldKey);
    }

    @Test
    void maintenanceRotatesAnAgedKey() {
        String first = keys.current().getKeyID();
        keys.maintain(Instant.now().plus(Duration.ofDays(8)), Duration.ofDays(7), Duration.ofDays(1));
        assertThat(keys.current().getKeyID()).isNotEqualTo(first);
        assertThat(keys.keyIds()).contains(first);
    }

    private void assertRefused(String token, String audience, ErrorCode code) {
        assertThatThrownBy(() -> tokens.validate(token, audience)).isInstanceOf(EnclaveException.class)
                .satisfies(e -> assertThat(((EnclaveException) e).code()).isEqualTo(code))
                .satisfies(e -> assertThat(((EnclaveException) e).status()).isEqualTo(401));
    }

    private JWTClaimsSet.Builder claims(String audience, String issuer, Duration notBeforeIn, Duration expiresIn) {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject("oid-alice").claim("oid", "oid-alice").claim("tid", "tenant-1")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now.plus(notBeforeIn))).expirationTime(Date.from(now.plus(expiresIn)));
    }

    private static String signed(RSAKey key, JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static final class SignedJwtKid {
        static String of(String token) {
            try {
                return SignedJWT.parse(token).getHeader().getKeyID();
            } catch (java.text.ParseException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
