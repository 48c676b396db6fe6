package enclave.core.http;

import java.util.Optional;

/**
 * Who made a request, as authentication established it.
 *
 * @param objectId the principal's object id ({@code oid}), or a synthetic id for endpoint keys
 * @param tenantId the tenant ({@code tid})
 * @param displayName a name for logs and error messages
 * @param appId the application (client) id for service principals and managed identities
 * @param audience the audience the credential was issued for
 */
public record Caller(String objectId, String tenantId, String displayName, Optional<String> appId, String audience) {}
