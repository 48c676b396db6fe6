package enclave.storage.blob;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/** Azure's naming rules for accounts, containers, blobs and block ids, and how names become file names. */
final class BlobNames {
    // Storage account names: 3-24 lower-case letters and digits (checked again here: they are directory names).
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    // Container names: 3-63 lower-case letters, digits and hyphens; letter or digit at both ends; no "--".
    private static final Pattern CONTAINER = Pattern.compile("(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
    static final int MAX_BLOB_NAME = 1024;
    // Longest file name we produce; file systems allow 255 bytes, and temp/suffix room is kept.
    private static final int MAX_KEY = 200;
    private static final int KEPT_WHEN_HASHED = 150;

    /** Blob names in the order Azure lists them: by Unicode code point (the order of their UTF-8 bytes). */
    static final Comparator<String> ORDER = BlobNames::compareCodePoints;

    private BlobNames() {}

    static String account(String name) {
        if (name == null || !ACCOUNT.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName,
                    "storage account name '" + name + "' is invalid: use 3-24 characters, lower-case letters and digits only");
        }
        return name;
    }

    static String container(String name) {
        if (name == null || !CONTAINER.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "container name '" + name
                    + "' is invalid: use 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit");
        }
        return name;
    }

    /**
     * Checks a blob name: 1-1024 characters, no leading slash, no {@code .} or {@code ..} segment (a name must
     * never climb out of a directory it is downloaded to), no control characters or unpaired surrogates (they
     * cannot appear in the XML listings).
     */
    static String blob(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_BLOB_NAME) {
            throw invalidBlob(name, "use 1-" + MAX_BLOB_NAME + " characters");
        }
        if (name.startsWith("/") || name.startsWith("\\")) {
            throw invalidBlob(name, "it must not start with a slash");
        }
        for (String segment : name.split("[/\\\\]", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw invalidBlob(name, "'.' and '..' are not allowed as path segments");
            }
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == 0xfffe || c == 0xffff) {
                throw invalidBlob(name, "control characters are not allowed");
            }
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalidBlob(name, "it is not valid Unicode");
            }
        }
        return name;
    }

    // Metadata names must be valid C# identifiers (they travel as x-ms-meta-{name} headers).
    private static final Pattern METADATA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    static Map<String, String> metadata(Map<String, String> metadata) {
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (!METADATA_NAME.matcher(entry.getKey()).matches()) {
                throw new EnclaveException(ErrorCode.BadRequest, "metadata name '" + entry.getKey()
                        + "' is invalid: use letters, digits and underscores, not starting with a digit");
            }
            if (entry.getValue().chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                throw new EnclaveException(ErrorCode.BadRequest, "metadata value of '" + entry.getKey() + "' contains control characters");
            }
        }
        return metadata;
    }

    /** Block ids are Base64 of at most 64 bytes. */
    static String blockId(String id) {
        if (id == null || id.isEmpty()) {
            throw new EnclaveException(ErrorCode.BadRequest, "the block id is missing: pass blockid as Base64 of at most 64 bytes");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(id);
        } catch (IllegalArgumentException e) {
            throw new EnclaveException(ErrorCode.BadRequest, "block id '" + id + "' is not valid Base64");
        }
        if (decoded.length > 64) {
            throw new EnclaveException(ErrorCode.BadRequest, "block id '" + id + "' is longer than 64 bytes once decoded");
        }
        return id;
    }

    /**
     * The file name a blob is kept under: its UTF-8 bytes with everything but {@code a-z 0-9 - _ .} percent-encoded
     * (so upper and lower case never meet on a case-insensitive file system, and no name can start with a dot or
     * contain a separator). Names whose encoding is too long keep a readable head and a hash. The real name is
     * always stored with the blob, so keys are never decoded.
     */
    static String key(String name) {
        String encoded = encode(name);
        if (encoded.length() <= MAX_KEY) {
            return encoded;
        }
        int cut = KEPT_WHEN_HASHED;
        if (encoded.charAt(cut - 1) == '%') {
            cut -= 1;
        } else if (encoded.charAt(cut - 2) == '%') {
            cut -= 2;
        }
        // '~' never appears in an encoding, so hashed keys cannot collide with plain ones.
        return encoded.substring(0, cut) + "~" + Hashes.sha256Hex(name).substring(0, 40);
    }

    /**
     * Whether the blob kept under {@code key} may have a name starting with {@code prefix}; a cheap filter before
     * reading the blob's stored name. Encoding is byte by byte, so a name's prefix encodes to its key's prefix.
     */
    static boolean keyMayMatch(String key, String prefix) {
        if (prefix.isEmpty() || !isWellFormed(prefix)) {
            return true;
        }
        String encodedPrefix = encode(prefix);
        int hashMark = key.indexOf('~');
        if (hashMark < 0) {
            return key.startsWith(encodedPrefix);
        }
        String kept = key.substring(0, hashMark);
        return encodedPrefix.length() > kept.length() ? encodedPrefix.startsWith(kept) : kept.startsWith(encodedPrefix);
    }

    /** A block id as a file name: the hex of its text. */
    static String blockFile(String blockId) {
        return HexFormat.of().formatHex(blockId.getBytes(StandardCharsets.UTF_8));
    }

    static String blockIdOfFile(String fileName) {
        return new String(HexFormat.of().parseHex(fileName), StandardCharsets.UTF_8);
    }

    private static String encode(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_' || (b == '.' && i > 0);
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static boolean isWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static EnclaveException invalidBlob(String name, String rule) {
        String shown = name == null ? "null" : name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return new EnclaveException(ErrorCode.InvalidResourceName, "blob name '" + shown + "' is invalid: " + rule);
    }
}
