package enclave.authz.assignment;

import enclave.authz.role.RoleUsage;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/** The {@code role_assignments} table (migration V3): where role assignments are durable. */
public final class RoleAssignmentTable implements RoleUsage {
    // SQLSTATE for a unique-constraint violation: two requests raced to make the same grant or reuse a name.
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "id, name_key, scope, role_definition_id, principal_id, principal_type, created_on, created_by";

    private final DataSource dataSource;

    public RoleAssignmentTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every assignment, oldest first. */
    public List<RoleAssignment> all() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM role_assignments ORDER BY created_on, id_key");
                ResultSet rows = statement.executeQuery()) {
            List<RoleAssignment> all = new ArrayList<>();
            while (rows.next()) {
                all.add(new RoleAssignment(rows.getString(1), rows.getString(2), ResourceId.parse(rows.getString(3)), rows.getString(4),
                        rows.getString(5), rows.getString(6), rows.getObject(7, OffsetDateTime.class).toInstant(), rows.getString(8)));
            }
            return all;
        } catch (SQLException e) {
            throw new StoreException("could not read role assignments", e);
        }
    }

    @Override
    public List<Use> assignmentsOf(String name) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT id, scope FROM role_assignments WHERE role_definition_name = ? ORDER BY created_on, id_key")) {
            statement.setString(1, name.toLowerCase(Locale.ROOT));
            List<Use> uses = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    uses.add(new Use(rows.getString(1), ResourceId.parse(rows.getString(2))));
                }
            }
            return uses;
        } catch (SQLException e) {
            throw new StoreException("could not read the assignments of role " + name, e);
        }
    }

    void insert(RoleAssignment assignment) {
        String sql = "INSERT INTO role_assignments (id_key, id, name_key, scope_key, scope, role_definition_id, role_definition_name, principal_id, "
                + "principal_type, created_on, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, assignment.id().toLowerCase(Locale.ROOT));
            statement.setString(2, assignment.id());
            statement.setString(3, assignment.name());
            statement.setString(4, assignment.scope().key());
            statement.setString(5, assignment.scope().toString());
            statement.setString(6, assignment.roleDefinitionId());
            statement.setString(7, assignment.roleDefinitionName());
            statement.setString(8, assignment.principalId().toLowerCase(Locale.ROOT));
            statement.setString(9, assignment.principalType());
            statement.setObject(10, OffsetDateTime.ofInstant(assignment.createdOn(), ZoneOffset.UTC));
            statement.setString(11, assignment.createdBy());
            statement.executeUpdate();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new EnclaveException(ErrorCode.Conflict, "the role assignment already exists (" + assignment.name()
                        + ", or the same role for the same principal at " + assignment.scope() + ")");
            }
            throw new StoreException("could not store role assignment " + assignment.id(), e);
        }
    }

    boolean delete(RoleAssignment assignment) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("DELETE FROM role_assignments WHERE id_key = ?")) {
            statement.setString(1, assignment.id().toLowerCase(Locale.ROOT));
            return statement.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StoreException("could not delete role assignment " + assignment.id(), e);
        }
    }
}
