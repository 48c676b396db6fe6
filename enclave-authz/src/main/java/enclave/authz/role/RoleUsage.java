package enclave.authz.role;

import enclave.core.ResourceId;
import java.util.List;

/** Where a role definition is in use, so it is not deleted (or narrowed) from under its assignments. */
@FunctionalInterface
public interface RoleUsage {
    /** The role assignments that name the role definition {@code name} (a lower-case GUID). */
    List<Use> assignmentsOf(String name);

    /** One assignment of the role: its id and the scope it applies at. */
    record Use(String assignmentId, ResourceId scope) {}
}
