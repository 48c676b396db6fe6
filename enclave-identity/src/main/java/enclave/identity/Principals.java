package enclave.identity;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Hashes;
import enclave.store.StoreException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.sql.DataSource;

/**
 * The directory: principals and their client secrets, stored hashed. A user's password, chosen by a person, is
 * stretched with PBKDF2 (120,000 rounds, about 30 ms) against guessing; a client secret is 256 random bits made here,
 * which no guessing reaches, so one salted SHA-256 is as safe and keeps the token endpoint at microseconds instead of
 * 30 ms of CPU per sign-in (every CLI command signs in; issue 6). Hashes of either kind verify, whatever made them.
 */
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
        insert(principal, Optional.of(hashRandomSecret(secret)));
        return new Created(principal, secret);
    }

    /**
     * A new managed identity: an object id and a client id, and no secret. It cannot sign in at the token endpoint; the platform
     * issues its tokens to the code it runs (the managed-identity endpoint of a deployment's workers).
     */
    public Principal createManagedIdentity(String tenantId, String displayName) {
        Principal identity = new Principal(UUID.randomUUID().toString(), tenantId, PrincipalKind.MANAGED_IDENTITY,
                Optional.of(UUID.randomUUID().toString()), displayName);
        insert(identity, Optional.empty());
        return identity;
    }

    /** Deletes a principal (its role assignments are the caller's to remove); returns whether it existed. */
    public boolean delete(String objectId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("DELETE FROM principals WHERE object_id = ?")) {
            statement.setString(1, objectId);
            return statement.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StoreException("could not delete principal " + objectId, e);
        }
    }

    /** A new user who signs in with {@code userPrincipalName} and {@code password} (stored only as a hash). */
    public Principal createUser(String tenantId, String userPrincipalName, String displayName, String password) {
        if (userPrincipalName == null || !userPrincipalName.matches("[^@\\s]+@[^@\\s]+")) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "userPrincipalName '" + userPrincipalName + "' must look like name@domain");
        }
        if (password == null || password.length() < 8) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the password must have at least 8 characters");
        }
        if (find(SELECT + " WHERE LOWER(user_principal_name) = LOWER(?)", userPrincipalName).isPresent()) {
            throw new EnclaveException(ErrorCode.Conflict, "a user named '" + userPrincipalName + "' already exists");
        }
        Principal user = new Principal(UUID.randomUUID().toString(), tenantId, PrincipalKind.USER, Optional.empty(),
                displayName == null || displayName.isBlank() ? userPrincipalName : displayName, Optional.of(userPrincipalName));
        insert(user, Optional.of(hash(password)));
        return user;
    }

    public Optional<Principal> byObjectId(String objectId) {
        return find(SELECT + " WHERE object_id = ?", objectId).map(Row::principal);
    }

    /** A principal by object id, application (client) id, user principal name or display name (which must be unique). */
    public Optional<Principal> lookup(String idOrName) {
        Optional<Principal> exact = find(SELECT + " WHERE object_id = ? OR app_id = ? OR LOWER(user_principal_name) = LOWER(?)", idOrName, idOrName, idOrName)
                .map(Row::principal);
        if (exact.isPresent()) {
            return exact;
        }
        List<Principal> named = list().stream().filter(p -> p.displayName().equalsIgnoreCase(idOrName)).toList();
        if (named.size() > 1) {
            throw new EnclaveException(ErrorCode.Conflict, "more than one principal is named '" + idOrName + "'; use its object id or app id");
        }
        return named.stream().findFirst();
    }

    public List<Principal> list() {
        return query(SELECT + " ORDER BY created_at");
    }

    /** The principal whose client id and secret match, if any. Constant work whether or not the id exists. */
    public Optional<Principal> verifyClientSecret(String clientId, String secret) {
        return verified(find(SELECT + " WHERE app_id = ?", clientId), secret, DUMMY_SECRET_HASH);
    }

    /** The user whose name and password match, if any. Constant work whether or not the user exists. */
    public Optional<Principal> verifyPassword(String userPrincipalName, String password) {
        return verified(find(SELECT + " WHERE LOWER(user_principal_name) = LOWER(?)", userPrincipalName), password, DUMMY_PASSWORD_HASH)
                .filter(p -> p.kind() == PrincipalKind.USER);
    }

    /** @param dummy hashed like the kind of credential asked about, so that an unknown name costs what a known one costs */
    private static Optional<Principal> verified(Optional<Row> row, String secret, String dummy) {
        String stored = row.flatMap(Row::secretHash).orElse(dummy);
        boolean matches = verify(secret == null ? "" : secret, stored);
        return row.isPresent() && row.get().secretHash().isPresent() && matches ? Optional.of(row.get().principal()) : Optional.empty();
    }

    private static final String SELECT = "SELECT object_id, tenant_id, kind, app_id, display_name, secret_hash, user_principal_name FROM principals";

    private static final String DUMMY_PASSWORD_HASH = hash("not-a-secret");
    private static final String DUMMY_SECRET_HASH = hashRandomSecret("not-a-secret");

    private record Row(Principal principal, Optional<String> secretHash) {}

    private void insert(Principal principal, Optional<String> secretHash) {
        String sql = "INSERT INTO principals (object_id, tenant_id, kind, app_id, display_name, secret_hash, created_at, user_principal_name) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, principal.objectId());
            statement.setString(2, principal.tenantId());
            statement.setString(3, principal.kind().name());
            statement.setString(4, principal.appId().orElse(null));
            statement.setString(5, principal.displayName());
            statement.setString(6, secretHash.orElse(null));
            statement.setObject(7, OffsetDateTime.now(ZoneOffset.UTC));
            statement.setString(8, principal.userPrincipalName().orElse(null));
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not store principal " + principal.displayName(), e);
        }
    }

    private Optional<Row> find(String sql, String... parameters) {
        List<Row> rows = rows(sql, parameters);
        return rows.stream().findFirst();
    }

    private List<Principal> query(String sql, String... parameters) {
        return rows(sql, parameters).stream().map(Row::principal).toList();
    }

    private List<Row> rows(String sql, String... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            List<Row> result = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Principal principal = new Principal(rows.getString(1), rows.getString(2), PrincipalKind.valueOf(rows.getString(3)),
                            Optional.ofNullable(rows.getString(4)), rows.getString(5), Optional.ofNullable(rows.getString(7)));
                    result.add(new Row(principal, Optional.ofNullable(rows.getString(6))));
                }
            }
            return result;
        } catch (SQLException e) {
            throw new StoreException("could not read principals", e);
        }
    }

    /** 256 random bits, base64url; never starting with '-', which command lines would take for an option ({@code login -p -x...}). */
    private static String newSecret() {
        byte[] bytes = new byte[32];
        String secret;
        do {
            RANDOM.nextBytes(bytes);
            secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (secret.startsWith("-"));
        return secret;
    }

    static String hash(String secret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2-sha256$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(secret, salt, ITERATIONS));
    }

    /** For secrets of 256 random bits made by {@link #newSecret()} only: never for anything a person chose. */
    static String hashRandomSecret(String secret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "sha256$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(Hashes.sha256(salt, secret));
    }

    static boolean verify(String secret, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length == 3 && parts[0].equals("sha256")) {
            return MessageDigest.isEqual(Base64.getDecoder().decode(parts[2]),
                    Hashes.sha256(Base64.getDecoder().decode(parts[1]), secret));
        }
        if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
            return false;
        }
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = derive(secret, Base64.getDecoder().decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

}
