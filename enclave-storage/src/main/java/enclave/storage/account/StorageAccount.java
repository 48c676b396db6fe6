package enclave.storage.account;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.PublicNetworkAccess;
import enclave.core.ResourceId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A storage account as stored: the ARM id, its globally unique name, and the settings the gateway
 * enforces ({@code publicNetworkAccess}).
 *
 * @param publicNetworkAccess {@code Enabled} or {@code Disabled}
 */
public record StorageAccount(
        String id, String name, String location, Map<String, String> tags, String publicNetworkAccess, Instant creationTime) {
    public static final String TYPE = "Microsoft.Storage/storageAccounts";
    public static final String ENABLED = PublicNetworkAccess.ENABLED;
    public static final String DISABLED = PublicNetworkAccess.DISABLED;

    // Azure's rule for storage account names: they become DNS labels, so 3-24 lower-case letters and digits.
    private static final Pattern NAME = Pattern.compile("[a-z0-9]{3,24}");

    public StorageAccount {
        Objects.requireNonNull(id, "id");
        checkName(name);
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("a storage account needs a location");
        }
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        publicNetworkAccess = PublicNetworkAccess.normalize(publicNetworkAccess);
        Objects.requireNonNull(creationTime, "creationTime");
    }

    /** Checks a storage account name against Azure's rule, failing with {@code InvalidResourceName}. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "storage account name '" + name
                    + "' is invalid: use 3-24 characters, lower-case letters and digits only");
        }
        return name;
    }


    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }

    public boolean publicNetworkAccessEnabled() {
        return ENABLED.equals(publicNetworkAccess);
    }
}
