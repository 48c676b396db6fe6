package enclave.network.vnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IpPrefixTest {
    @Test
    void parsesAndFormats() {
        IpPrefix prefix = IpPrefix.parse(" 127.42.0.0/16 ");
        assertThat(prefix.toString()).isEqualTo("127.42.0.0/16");
        assertThat(prefix.size()).isEqualTo(65536);
        assertThat(IpPrefix.format(prefix.last())).isEqualTo("127.42.255.255");
        assertThat(prefix.address(2)).isEqualTo("127.42.0.2");
        assertThat(IpPrefix.parse("0.0.0.0/0").size()).isEqualTo(1L << 32);
        assertThat(IpPrefix.parse("255.255.255.255/32").address(0)).isEqualTo("255.255.255.255");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.42.0.0        | CIDR notation",
            "127.42.0/16       | not an IPv4 address",
            "127.42.0.256/16   | not an IPv4 address",
            "127.42.0.0/33     | 0 to 32",
            "127.42.0.0/x      | 0 to 32",
            "127.42.1.5/24     | did you mean 127.42.1.0/24",
            "127.42.0.0/-1     | 0 to 32",
    })
    void refusesWhatIsNotAnAlignedPrefix(String text, String why) {
        assertThatThrownBy(() -> IpPrefix.parse(text)).isInstanceOf(EnclaveException.class).hasMessageContaining(why)
                .satisfies(e -> assertThat(((EnclaveException) e).code().name()).isEqualTo("InvalidAddressPrefix"));
    }

    @ParameterizedTest
    @CsvSource({
            "127.42.0.0/16, 127.42.1.0/24,  true,  true",
            "127.42.1.0/24, 127.42.0.0/16,  false, true",
            "127.42.0.0/16, 127.43.0.0/16,  false, false",
            "127.42.0.0/15, 127.43.255.0/24, true, true",
            "127.42.1.0/25, 127.42.1.128/25, false, false",
            "127.42.1.0/24, 127.42.1.128/25, true, true",
    })
    void containsAndOverlaps(String outer, String inner, boolean contains, boolean overlaps) {
        assertThat(IpPrefix.parse(outer).contains(IpPrefix.parse(inner))).isEqualTo(contains);
        assertThat(IpPrefix.parse(outer).overlaps(IpPrefix.parse(inner))).isEqualTo(overlaps);
        assertThat(IpPrefix.parse(inner).overlaps(IpPrefix.parse(outer))).isEqualTo(overlaps);
    }
}
