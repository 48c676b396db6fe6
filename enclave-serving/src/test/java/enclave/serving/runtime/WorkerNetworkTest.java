package enclave.serving.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkerNetworkTest {
    private static final Path SOCKET = Path.of("/run/enclave/blob.sock");

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.4      | is not in 127.0.0.0/8, the only addresses inside an isolated worker network
            128.0.0.1     | is not in 127.0.0.0/8
            127.0.0       | is not an IPv4 address
            127.0.0.256   | is not an IPv4 address
            ::1           | is not an IPv4 address
            localhost     | is not an IPv4 address
            """)
    void forwardsListenOnlyInsideLoopback(String ip, String message) {
        assertThatThrownBy(() -> new WorkerNetwork.TcpForward(ip, 443, SOCKET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> new WorkerNetwork.DnsForward(ip, SOCKET)).hasMessageContaining(message);
    }

    @Test
    void addressesAreNormalized() {
        assertThat(new WorkerNetwork.TcpForward("127.042.0.04", 443, SOCKET).ip()).isEqualTo("127.42.0.4");
    }

    @Test
    void portsSocketsAndDuplicatesAreChecked() {
        assertThatThrownBy(() -> new WorkerNetwork.TcpForward("127.0.0.1", 0, SOCKET)).hasMessageContaining("port 0");
        assertThatThrownBy(() -> new WorkerNetwork.TcpForward("127.0.0.1", 65_536, SOCKET)).hasMessageContaining("port 65536");
        assertThatThrownBy(() -> new WorkerNetwork.TcpForward("127.0.0.1", 80, Path.of("relative.sock")))
                .hasMessageContaining("must be an absolute path");
        assertThatThrownBy(() -> new WorkerNetwork.TcpForward("127.0.0.1", 80, Path.of("/" + "s".repeat(107))))
                .hasMessageContaining("longer than 107 bytes");
        assertThatThrownBy(() -> new WorkerNetwork.Isolated(Path.of("/etc/enclave/resolv.conf"),
                        List.of(new WorkerNetwork.TcpForward("127.1.0.4", 443, SOCKET), new WorkerNetwork.TcpForward("127.1.0.4", 443, SOCKET)),
                        new WorkerNetwork.DnsForward("127.1.0.2", SOCKET)))
                .hasMessageContaining("two forwards listen on 127.1.0.4:443");
        assertThatThrownBy(() -> new WorkerNetwork.Resolved(Path.of("resolv.conf"))).hasMessageContaining("must be an absolute path");
    }
}
