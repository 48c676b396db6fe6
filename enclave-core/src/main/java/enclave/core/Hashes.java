package enclave.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of text, for names derived from ids and for secrets kept only as hashes. */
public final class Hashes {
    private Hashes() {}

    /** SHA-256 of {@code text} in UTF-8. */
    public static byte[] sha256(String text) {
        return sha256(new byte[0], text);
    }

    /** SHA-256 of {@code salt} followed by {@code text} in UTF-8. */
    public static byte[] sha256(byte[] salt, String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(salt);
            return digest.digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** SHA-256 of {@code text} in UTF-8 as 64 lower-case hex digits (take a prefix for shorter names). */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }
}
