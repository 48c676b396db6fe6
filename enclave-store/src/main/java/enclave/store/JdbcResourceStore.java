package enclave.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import enclave.core.Json;
import enclave.core.ResourceId;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link ResourceStore} on a JDBC database (H2 embedded by default). */
public final class JdbcResourceStore implements ResourceStore {
    private final DataSource dataSource;

    public JdbcResourceStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> Optional<T> get(ResourceId id, Class<T> type) {
        List<T> found = query("SELECT body FROM resources WHERE id_key = ?", type, id.key());
        return found.stream().findFirst();
    }

    @Override
    public <T> List<T> children(ResourceId parent, String childType, Class<T> type) {
        return query("SELECT body FROM resources WHERE parent_key = ? AND type_key = ? ORDER BY created_at, id_key",
                type, parent.key(), childType.toLowerCase(Locale.ROOT));
    }

    @Override
    public <T> List<T> allOfType(String type, Class<T> documentType) {
        return query("SELECT body FROM resources WHERE type_key = ? ORDER BY created_at, id_key",
                documentType, type.toLowerCase(Locale.ROOT));
    }

    @Override
    public void put(ResourceId id, Object document) {
        String body;
        try {
            body = Json.MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot store " + document.getClass().getSimpleName(), e);
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String sql = "MERGE INTO resources r USING (VALUES (CAST(? AS VARCHAR(2048)))) AS s(k) ON r.id_key = s.k "
                + "WHEN MATCHED THEN UPDATE SET body = ?, id = ?, updated_at = ? "
                + "WHEN NOT MATCHED THEN INSERT (id_key, id, type_key, parent_key, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, id.key());
            statement.setString(2, body);
            statement.setString(3, id.toString());
            statement.setObject(4, now);
            statement.setString(5, id.key());
            statement.setString(6, id.toString());
            statement.setString(7, id.type().toLowerCase(Locale.ROOT));
            statement.setString(8, id.parent().map(ResourceId::key).orElse(null));
            statement.setString(9, body);
            statement.setObject(10, now);
            statement.setObject(11, now);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not store " + id, e);
        }
    }

    @Override
    public boolean hasDescendants(ResourceId id) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM resources WHERE id_key LIKE ? ESCAPE '\\' LIMIT 1")) {
            statement.setString(1, descendantsPattern(id));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new StoreException("could not read below " + id, e);
        }
    }

    private static String descendantsPattern(ResourceId id) {
        return id.key().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%";
    }

    @Override
    public boolean delete(ResourceId id) {
        String key = id.key();
        String descendants = descendantsPattern(id);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement self = connection.prepareStatement("DELETE FROM resources WHERE id_key = ?");
                PreparedStatement below = connection.prepareStatement("DELETE FROM resources WHERE id_key LIKE ? ESCAPE '\\'")) {
            connection.setAutoCommit(false);
            below.setString(1, descendants);
            below.executeUpdate();
            self.setString(1, key);
            boolean existed = self.executeUpdate() > 0;
            connection.commit();
            return existed;
        } catch (SQLException e) {
            throw new StoreException("could not delete " + id, e);
        }
    }

    private <T> List<T> query(String sql, Class<T> type, String... parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            List<T> results = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    results.add(Json.MAPPER.readValue(rows.getString(1), type));
                }
            }
            return results;
        } catch (SQLException e) {
            throw new StoreException("query failed: " + sql, e);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored document does not match " + type.getSimpleName(), e);
        }
    }
}
