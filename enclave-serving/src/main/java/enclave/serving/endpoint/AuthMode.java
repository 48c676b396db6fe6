package enclave.serving.endpoint;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.Locale;

/** How callers authenticate to an endpoint's scoring URI. ARM spelling in {@link #name()}, YAML spelling in {@link #yaml()}. */
public enum AuthMode {
    Key("key"),
    AMLToken("aml_token"),
    AADToken("aad_token");

    private final String yaml;

    AuthMode(String yaml) {
        this.yaml = yaml;
    }

    public String yaml() {
        return yaml;
    }

    /** Accepts the ARM ({@code AMLToken}) and YAML ({@code aml_token}) spellings, in any case. */
    public static AuthMode parse(String text) {
        for (AuthMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text) || mode.yaml.equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new EnclaveException(ErrorCode.InvalidRequestContent, "authMode '" + text + "' is not one of key, aml_token, aad_token");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
