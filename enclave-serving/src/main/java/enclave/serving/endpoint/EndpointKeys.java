package enclave.serving.endpoint;

import java.security.SecureRandom;
import java.util.Base64;

/** The two keys of a key-auth endpoint. Keys never expire; they are replaced one at a time. */
public record EndpointKeys(String primaryKey, String secondaryKey) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public static EndpointKeys generate() {
        return new EndpointKeys(newKey(), newKey());
    }

    public EndpointKeys regenerate(String keyType) {
        return switch (keyType.toLowerCase(java.util.Locale.ROOT)) {
            case "primary" -> new EndpointKeys(newKey(), secondaryKey);
            case "secondary" -> new EndpointKeys(primaryKey, newKey());
            default -> throw new enclave.core.EnclaveException(enclave.core.ErrorCode.InvalidRequestContent,
                    "keyType '" + keyType + "' is not one of Primary, Secondary");
        };
    }

    private static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
