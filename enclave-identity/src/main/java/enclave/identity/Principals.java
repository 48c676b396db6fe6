package enclave.identity;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.store.StoreException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.sql.DataSource;

/** The directory: principals and their client secrets, stored hashed (PBKDF2 from the JDK). */
public final class Principals {
    private static final int ITERATIONS = 120_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;

    public Principals(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A new service principal with a fresh secret; the secret is returned once and stored only as a hash. */
    public record Created(Principal principal, String secret) {}

    public Created createServicePrincipal(String tenantId, String displayName) {
        String secret = newSecret();
        Principal principal = new Principal(UUID.randomUUID().toString(), tenantId, PrincipalKind.SERVICE_PRINCIPAL,
                Optional.of(UUID.randomUUID().toString()), displayName);
        insert(principal, Optional.of(hash(secret)));
        return new Created(principal, secret);
    }

    public Optional<Principal> byObjectId(String objectId) {
        return find("SELECT object_id, tenant_id, kind, app_id, display_name, secret_hash FROM principals WHERE object_id = ?", objectId)
                .map(Row::principal);
    }

    /** The principal whose client id and secret match, if any. Constant work whether or not the id exists. */
    public Optional<Principal> verifyClientSecret(String clientId, String secret) {
        Optional<Row> row = find("SELECT object_id, tenant_id, kind, app_id, display_name, secret_hash FROM principals WHERE app_id = ?", clientId);
        String stored = row.flatMap(Row::secretHash).orElse(DUMMY_HASH);
        boolean matches = verify(secret, stored);
        return row.isPresent() && row.get().secretHash().isPresent() && matches ? Optional.of(row.get().principal()) : Optional.empty();
    }

    private static final String DUMMY_HASH = hash("not-a-secret");

    private record Row(Principal principal, Optional<String> secretHash) {}

    private void insert(Principal principal, Optional<String> secretHash) {
        String sql = "INSERT INTO principals (object_id, tenant_id, kind, app_id, display_name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, principal.objectId());
            statement.setString(2, principal.tenantId());
            statement.setString(3, principal.kind().name());
            statement.setString(4, principal.appId().orElse(null));
            statement.setString(5, principal.displayName());
            statement.setString(6, secretHash.orElse(null));
            statement.setObject(7, OffsetDateTime.now(ZoneOffset.UTC));
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not store principal " + principal.displayName(), e);
        }
    }

    private Optional<Row> find(String sql, String parameter) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                Principal principal = new Principal(rows.getString(1), rows.getString(2), PrincipalKind.valueOf(rows.getString(3)),
                        Optional.ofNullable(rows.getString(4)), rows.getString(5));
                return Optional.of(new Row(principal, Optional.ofNullable(rows.getString(6))));
            }
        } catch (SQLException e) {
            throw new StoreException("could not read principals", e);
        }
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String secret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2-sha256$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(secret, salt, ITERATIONS));
    }

    static boolean verify(String secret, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
            return false;
        }
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = derive(secret, Base64.getDecoder().decode(parts[2]), Integer.parseInt(parts[1]));
        return java.security.MessageDigest.isEqual(expected, actual);
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

    static EnclaveException invalidClient() {
        return new EnclaveException(ErrorCode.AuthenticationFailed, "invalid client id or secret");
    }
}
