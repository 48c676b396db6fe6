package enclave.authz;

import enclave.core.ResourceId;
import enclave.core.http.Caller;

/** Decides whether a caller may perform an action (control-plane or data action) at a scope. */
public interface Authorizer {
    Decision check(Caller caller, String action, ResourceId scope);
}
