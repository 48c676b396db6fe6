package enclave.network;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.regex.Pattern;

/** Azure's naming rule for network resources (virtual networks, subnets, private endpoints, their connections). */
public final class NetworkNames {
    // 1-80 characters: letters, digits, underscores, periods and hyphens; starts with a letter or digit, ends with a letter, digit or underscore.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]|[A-Za-z0-9]");

    private NetworkNames() {}

    /** The name, or {@code InvalidResourceName} saying the rule. */
    public static String check(String name, String kind) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, kind + " name '" + name + "' is invalid: use 1-80 letters, digits, underscores, "
                    + "periods and hyphens, starting with a letter or digit and ending with a letter, digit or underscore");
        }
        return name;
    }
}
