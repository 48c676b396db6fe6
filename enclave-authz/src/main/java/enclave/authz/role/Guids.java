package enclave.authz.role;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.Locale;
import java.util.regex.Pattern;

/** Role definitions and role assignments are named by GUIDs, as in Azure. */
public final class Guids {
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Guids() {}

    public static boolean isGuid(String value) {
        return value != null && GUID.matcher(value).matches();
    }

    /** The GUID in canonical lower-case form, or a 400 naming what it was meant to be. */
    public static String require(String value, String what) {
        if (!isGuid(value)) {
            throw new EnclaveException(ErrorCode.BadRequest, what + " '" + value + "' is not a GUID; use one like "
                    + "'" + java.util.UUID.randomUUID() + "' (uuidgen makes them)");
        }
        return value.toLowerCase(Locale.ROOT);
    }
}
