package enclave.network.dns;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.Locale;
import java.util.regex.Pattern;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Validation and conversion of the names private DNS zones hold (RFC 1035 labels, RFC 4592 wildcards). */
public final class DnsNames {
    /** The zone apex as a record set name, as Azure spells it. */
    public static final String APEX = "@";

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private DnsNames() {}

    /** A zone name: two or more labels, at most 253 characters; a trailing dot is dropped. Answers it in lower case. */
    public static String checkZoneName(String zone) {
        String name = zone == null ? "" : zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;
        String[] labels = name.split("\\.", -1);
        boolean valid = name.length() <= 253 && labels.length >= 2 && labels.length <= 34;
        for (String label : labels) {
            valid &= LABEL.matcher(label).matches();
        }
        if (!valid) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "private DNS zone name '" + zone
                    + "' is invalid: use two to 34 dot-separated labels of letters, digits and hyphens (e.g. privatelink.blob.core.windows.net)");
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** A record set name relative to its zone: {@code @} (the apex), labels, or a wildcard {@code *} / {@code *.labels}. */
    public static String checkRelativeName(String relative) {
        if (APEX.equals(relative)) {
            return relative;
        }
        String[] labels = relative == null ? new String[] {""} : relative.split("\\.", -1);
        boolean valid = relative != null && relative.length() <= 253;
        for (int i = 0; i < labels.length; i++) {
            valid &= LABEL.matcher(labels[i]).matches() || (i == 0 && labels[i].equals("*"));
        }
        if (!valid) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "record set name '" + relative
                    + "' is invalid: use '@' for the zone apex, dot-separated labels of letters, digits and hyphens, or a wildcard such as '*' or '*.name'");
        }
        return relative.toLowerCase(Locale.ROOT);
    }

    /** A dotted-quad IPv4 address. */
    public static String checkIpv4(String ip) {
        if (ip == null || !IPV4.matcher(ip).matches()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + ip + "' is not an IPv4 address (use dotted-quad form such as 127.42.0.4)");
        }
        return ip;
    }

    /** The absolute name of a zone ({@code example.com.}). */
    public static Name zone(String zone) {
        return absolute(zone);
    }

    /** The absolute name of a record set: the zone itself for {@code @}. */
    public static Name recordName(String relative, Name zone) {
        if (APEX.equals(relative)) {
            return zone;
        }
        try {
            return Name.fromString(relative, zone);
        } catch (TextParseException e) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "record set name '" + relative + "' is invalid: " + e.getMessage());
        }
    }

    /** The absolute name for a dotted name without the trailing dot. */
    public static Name absolute(String dotted) {
        try {
            return Name.fromString(dotted.endsWith(".") ? dotted : dotted + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + dotted, e);
        }
    }
}
