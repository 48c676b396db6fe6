package enclave.identity;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client secrets and passwords: only the right one signs in, whichever way its hash was made. */
class PrincipalsTest {
    private static final String TENANT = "tenant-1";

    @TempDir
    Path directory;

    private Database database;
    private Principals principals;

    @BeforeEach
    void setUp() {
        database = Database.open(directory.resolve("db"));
        principals = new Principals(database.dataSource());
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @Test
    void aServicePrincipalSignsInWithItsSecretOnly() {
        Principals.Created created = principals.createServicePrincipal(TENANT, "app");
        String clientId = created.principal().appId().orElseThrow();

        assertThat(principals.verifyClientSecret(clientId, created.secret())).contains(created.principal());
        assertThat(principals.verifyClientSecret(clientId, created.secret() + "x")).isEmpty();
        assertThat(principals.verifyClientSecret(clientId, "")).isEmpty();
        assertThat(principals.verifyClientSecret("no-such-client", created.secret())).isEmpty();
        assertThat(storedHash(created.principal().objectId())).startsWith("sha256$").doesNotContain(created.secret());
    }

    @Test
    void aUsersPasswordIsStretchedAndOnlyTheRightOneSignsIn() {
        Principal user = principals.createUser(TENANT, "ada@example.org", "Ada", "correct horse");

        assertThat(principals.verifyPassword("ada@example.org", "correct horse")).contains(user);
        assertThat(principals.verifyPassword("ada@example.org", "correct horsE")).isEmpty();
        assertThat(storedHash(user.objectId())).startsWith("pbkdf2-sha256$120000$");
    }

    @Test
    void aSecretHashedByAnEarlierVersionStillSignsIn() throws SQLException {
        Principals.Created created = principals.createServicePrincipal(TENANT, "older app");
        // How client secrets were stored before they were hashed with SHA-256.
        setStoredHash(created.principal().objectId(), Principals.hash(created.secret()));
        String clientId = created.principal().appId().orElseThrow();

        assertThat(principals.verifyClientSecret(clientId, created.secret())).contains(created.principal());
        assertThat(principals.verifyClientSecret(clientId, "wrong")).isEmpty();
    }

    @Test
    void aMalformedStoredHashNeverMatches() {
        assertThat(Principals.verify("secret", "sha256$not-base64")).isFalse();
        assertThat(Principals.verify("secret", "md5$abc$def")).isFalse();
        assertThat(Principals.verify("secret", "")).isFalse();
    }

    private String storedHash(String objectId) {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT secret_hash FROM principals WHERE object_id = ?")) {
            statement.setString(1, objectId);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private void setStoredHash(String objectId, String hash) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement("UPDATE principals SET secret_hash = ? WHERE object_id = ?")) {
            statement.setString(1, hash);
            statement.setString(2, objectId);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }
}
