package enclave.authz;

import enclave.core.ResourceId;
import enclave.core.http.Caller;
import java.util.Set;

/**
 * The authorizer until role assignments exist: the platform's admin principals may do everything,
 * nobody else may do anything. {@link RoleBasedAuthorizer} replaces it behind the same interface.
 */
public final class PlatformAdmins implements Authorizer {
    private final Set<String> adminObjectIds;

    public PlatformAdmins(Set<String> adminObjectIds) {
        this.adminObjectIds = Set.copyOf(adminObjectIds);
    }

    @Override
    public Decision check(Caller caller, String action, ResourceId scope) {
        if (adminObjectIds.contains(caller.objectId())) {
            return new Decision.Allowed("'" + caller.displayName() + "' is a platform administrator");
        }
        return new Decision.Denied("'" + caller.displayName() + "' (" + caller.objectId() + ") is not a platform administrator");
    }

    @Override
    public Decision checkData(Caller caller, String dataAction, ResourceId scope) {
        return check(caller, dataAction, scope);
    }
}
