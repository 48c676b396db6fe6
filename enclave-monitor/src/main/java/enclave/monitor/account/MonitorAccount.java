package enclave.monitor.account;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.PublicNetworkAccess;
import enclave.core.ResourceId;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A monitor workspace ({@code Microsoft.Monitor/accounts}) as stored.
 *
 * @param accountId the account's GUID (Azure's {@code properties.accountId})
 * @param key a short, stable, random-derived suffix making the query host {@code <name>-<key>} unique
 * @param linkedWorkspaces lower-case ARM ids of the ML workspaces whose endpoint metrics land in this account
 * @param publicNetworkAccess {@code Enabled} or {@code Disabled}
 */
public record MonitorAccount(
        String id,
        String name,
        String location,
        Map<String, String> tags,
        String accountId,
        String key,
        String publicNetworkAccess,
        List<String> linkedWorkspaces,
        Instant creationTime) {
    public static final String TYPE = "Microsoft.Monitor/accounts";
    public static final String ENABLED = PublicNetworkAccess.ENABLED;
    public static final String DISABLED = PublicNetworkAccess.DISABLED;
    // Azure Monitor workspace names: letters, digits and hyphens, starting and ending alphanumeric. Azure documents 4-44
    // characters; 3 are allowed here so the issue's own example name `amw` works.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{1,42}[A-Za-z0-9]");

    public MonitorAccount {
        Objects.requireNonNull(id, "id");
        checkName(name);
        Objects.requireNonNull(location, "location");
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(key, "key");
        publicNetworkAccess = PublicNetworkAccess.normalize(publicNetworkAccess);
        linkedWorkspaces = linkedWorkspaces == null ? List.of() : List.copyOf(linkedWorkspaces);
        Objects.requireNonNull(creationTime, "creationTime");
    }

    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "monitor account name '" + name
                    + "' is invalid: use 3-44 letters, digits and hyphens, starting and ending with a letter or digit");
        }
        return name;
    }


    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }

    /** The first DNS label of the query host and the path-style prefix: {@code <name>-<key>}, lower case. */
    public String hostLabel() {
        return name.toLowerCase(Locale.ROOT) + "-" + key;
    }

    public boolean publicNetworkAccessEnabled() {
        return ENABLED.equals(publicNetworkAccess);
    }

    public MonitorAccount withLinks(List<String> links) {
        return new MonitorAccount(id, name, location, tags, accountId, key, publicNetworkAccess, links, creationTime);
    }
}
