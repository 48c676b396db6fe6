package enclave.identity;

import java.util.Optional;

/** A directory object. {@code appId} is the client id of service principals and managed identities. */
public record Principal(String objectId, String tenantId, PrincipalKind kind, Optional<String> appId, String displayName) {}
