package enclave.network.vnet;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;

/**
 * An IPv4 address prefix in CIDR notation ({@code 127.42.0.0/16}): the base address (host bits zero) and the prefix
 * length. Addresses are held as unsigned 32-bit values in a {@code long}.
 */
public record IpPrefix(long base, int length) {
    public IpPrefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length must be 0-32: " + length);
        }
        if (base < 0 || base > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not an IPv4 address: " + base);
        }
        if ((base & ~mask(length)) != 0) {
            throw new IllegalArgumentException("host bits are set in " + format(base) + "/" + length);
        }
    }

    /** The platform's whole address space: virtual networks live in the loopback range of one machine. */
    public static final IpPrefix LOOPBACK = parse("127.0.0.0/8");

    /** Parses {@code a.b.c.d/n}, failing with {@code InvalidAddressPrefix} and the aligned form when host bits are set. */
    public static IpPrefix parse(String text) {
        String value = text == null ? "" : text.strip();
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw invalid(text, "write it in CIDR notation, e.g. 127.42.0.0/16");
        }
        long address = parseAddress(value.substring(0, slash)).orElseThrow(() -> invalid(text, "the address part is not an IPv4 address"));
        int length;
        try {
            length = Integer.parseInt(value.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw invalid(text, "the prefix length must be a number from 0 to 32");
        }
        if (length < 0 || length > 32) {
            throw invalid(text, "the prefix length must be a number from 0 to 32");
        }
        long aligned = address & mask(length);
        if (aligned != address) {
            throw invalid(text, "the address has bits set beyond the prefix length; did you mean " + format(aligned) + "/" + length + "?");
        }
        return new IpPrefix(address, length);
    }

    /** Parses a dotted IPv4 address into an unsigned value. */
    public static java.util.Optional<Long> parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return java.util.Optional.empty();
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return java.util.Optional.empty();
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return java.util.Optional.empty();
            }
            value = (value << 8) | octet;
        }
        return java.util.Optional.of(value);
    }

    public static String format(long address) {
        return ((address >> 24) & 0xFF) + "." + ((address >> 16) & 0xFF) + "." + ((address >> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** How many addresses the prefix holds. */
    public long size() {
        return 1L << (32 - length);
    }

    public long last() {
        return base + size() - 1;
    }

    public boolean contains(long address) {
        return address >= base && address <= last();
    }

    public boolean contains(IpPrefix other) {
        return contains(other.base) && contains(other.last());
    }

    public boolean overlaps(IpPrefix other) {
        return base <= other.last() && other.base <= last();
    }

    /** The {@code n}th address of the prefix (0 is the base), as dotted text. */
    public String address(long n) {
        if (n < 0 || n >= size()) {
            throw new IllegalArgumentException(this + " has no address number " + n);
        }
        return format(base + n);
    }

    @Override
    public String toString() {
        return format(base) + "/" + length;
    }

    private static long mask(int length) {
        return length == 0 ? 0 : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
    }

    private static EnclaveException invalid(String text, String why) {
        return new EnclaveException(ErrorCode.InvalidAddressPrefix, "address prefix '" + text + "' is invalid: " + why);
    }
}
