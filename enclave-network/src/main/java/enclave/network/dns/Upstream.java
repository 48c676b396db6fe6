package enclave.network.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.xbill.DNS.Message;
import org.xbill.DNS.SimpleResolver;

/** The resolver names the platform does not serve are forwarded to ({@code ServerConfig.dnsUpstream}, "host:port"). */
public final class Upstream {
    private final InetSocketAddress address;
    private final SimpleResolver resolver;

    public Upstream(InetSocketAddress address) {
        this.address = address;
        this.resolver = new SimpleResolver(address);
        resolver.setTimeout(Duration.ofSeconds(5));
    }

    /** Parses {@code host:port} (port 53 when left out). */
    public static Upstream parse(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        String host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
        int port;
        try {
            port = colon < 0 ? 53 : Integer.parseInt(hostAndPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DNS upstream must be host:port, got " + hostAndPort, e);
        }
        if (host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("DNS upstream must be host:port, got " + hostAndPort);
        }
        return new Upstream(new InetSocketAddress(host, port));
    }

    /** Sends the query upstream (UDP, TCP when truncated) and answers what it answered. */
    public Message forward(Message query) throws IOException {
        return resolver.send(query.clone());
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public String toString() {
        return address.getHostString() + ":" + address.getPort();
    }
}
