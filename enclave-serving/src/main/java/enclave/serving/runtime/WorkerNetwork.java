package enclave.serving.runtime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which network a deployment's workers see. The integrator picks one per deployment from its egress
 * setting; {@code enclave_sandbox.py} makes it real with Linux namespaces.
 */
public sealed interface WorkerNetwork {
    /** The host's network and files as they are: no namespaces. */
    record Host() implements WorkerNetwork {}

    /**
     * Egress allowed: the host network, but the worker's own mount namespace, where {@code /etc/resolv.conf} is
     * {@code resolvConf} (written by the platform; its nameserver is the platform's public resolver).
     */
    record Resolved(Path resolvConf) implements WorkerNetwork {
        public Resolved {
            resolvConf = absolute(resolvConf, "resolvConf");
        }
    }

    /**
     * Egress disabled: a new network namespace with only {@code lo}, so nothing outside is reachable. Inside, each
     * forward's {@code ip:port} relays TCP byte for byte to its Unix socket, and {@code dns.ip():53} (UDP and TCP)
     * relays queries to the DNS socket; {@code /etc/resolv.conf} is {@code resolvConf}, whose nameserver should be
     * {@code dns.ip()}.
     */
    record Isolated(Path resolvConf, List<TcpForward> forwards, DnsForward dns) implements WorkerNetwork {
        public Isolated {
            resolvConf = absolute(resolvConf, "resolvConf");
            forwards = List.copyOf(forwards);
            Objects.requireNonNull(dns, "dns");
            for (int i = 0; i < forwards.size(); i++) {
                for (int j = i + 1; j < forwards.size(); j++) {
                    if (forwards.get(i).ip().equals(forwards.get(j).ip()) && forwards.get(i).port() == forwards.get(j).port()) {
                        throw new IllegalArgumentException("two forwards listen on " + forwards.get(i).ip() + ":" + forwards.get(i).port());
                    }
                }
            }
        }
    }

    /** Inside an isolated namespace, connections to {@code ip:port} are relayed to {@code unixSocket}. */
    record TcpForward(String ip, int port, Path unixSocket) {
        public TcpForward {
            ip = loopback(ip);
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
            }
            unixSocket = socketPath(unixSocket);
        }
    }

    /**
     * Inside an isolated namespace, DNS queries to {@code ip:53} (UDP and TCP) are relayed to {@code unixSocket},
     * which speaks DNS-over-TCP framing (a 2-byte length before each message, both ways).
     */
    record DnsForward(String ip, Path unixSocket) {
        public DnsForward {
            ip = loopback(ip);
            unixSocket = socketPath(unixSocket);
        }
    }

    private static Path absolute(Path path, String what) {
        Objects.requireNonNull(path, what);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(what + " must be an absolute path: " + path);
        }
        return path.normalize();
    }

    // Inside the namespace only lo exists, and lo holds all of 127.0.0.0/8 (as virtual networks do).
    private static String loopback(String ip) {
        Objects.requireNonNull(ip, "ip");
        String[] octets = ip.split("\\.", -1);
        if (octets.length != 4 || !Arrays.stream(octets).allMatch(o -> o.matches("\\d{1,3}") && Integer.parseInt(o) <= 255)) {
            throw new IllegalArgumentException("'" + ip + "' is not an IPv4 address");
        }
        if (Integer.parseInt(octets[0]) != 127) {
            throw new IllegalArgumentException(ip + " is not in 127.0.0.0/8, the only addresses inside an isolated worker network");
        }
        return Arrays.stream(octets).map(o -> String.valueOf(Integer.parseInt(o))).collect(Collectors.joining("."));
    }

    /** sun_path holds 108 bytes including its terminating NUL. */
    private static Path socketPath(Path socket) {
        Path path = absolute(socket, "unixSocket");
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > 107) {
            throw new IllegalArgumentException("the Unix socket path " + path + " is longer than 107 bytes");
        }
        return path;
    }
}
