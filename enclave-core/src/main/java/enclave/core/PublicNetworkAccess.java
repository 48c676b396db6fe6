package enclave.core;

/** A resource's {@code publicNetworkAccess}: Azure's two values, accepted in any case. */
public final class PublicNetworkAccess {
    public static final String ENABLED = "Enabled";
    public static final String DISABLED = "Disabled";

    private PublicNetworkAccess() {}

    /** {@code Enabled}/{@code Disabled} in any case, as Azure spells them; anything else is {@code InvalidRequestContent}. */
    public static String normalize(String value) {
        if (ENABLED.equalsIgnoreCase(value)) {
            return ENABLED;
        }
        if (DISABLED.equalsIgnoreCase(value)) {
            return DISABLED;
        }
        throw new EnclaveException(ErrorCode.InvalidRequestContent, "publicNetworkAccess '" + value + "' is invalid: use 'Enabled' or 'Disabled'");
    }
}
