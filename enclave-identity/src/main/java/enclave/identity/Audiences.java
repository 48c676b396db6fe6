package enclave.identity;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.List;
import java.util.Locale;

/** The token audiences clients already use, one per plane. A token for one is refused by the others. */
public final class Audiences {
    public static final String MANAGEMENT = "https://management.azure.com";
    public static final String ML = "https://ml.azure.com";
    public static final String STORAGE = "https://storage.azure.com";
    public static final String MONITOR = "https://prometheus.monitor.azure.com";

    public static final List<String> ALL = List.of(MANAGEMENT, ML, STORAGE, MONITOR);

    private Audiences() {}

    /**
     * The audience a requested resource or scope names: {@code https://management.azure.com/.default},
     * {@code https://management.azure.com/}, {@code https://management.core.windows.net/} all name management.
     */
    public static String fromScopeOrResource(String requested) {
        String value = requested.trim();
        for (String part : value.split(" ")) {
            String candidate = part.replaceAll("/*\\.default$", "").replaceAll("/+$", "").toLowerCase(Locale.ROOT);
            if (candidate.equals("https://management.core.windows.net")) {
                return MANAGEMENT;
            }
            for (String audience : ALL) {
                if (candidate.equals(audience)) {
                    return audience;
                }
            }
        }
        throw new EnclaveException(ErrorCode.BadRequest, "unknown resource or scope '" + requested + "'; use one of " + ALL);
    }
}
