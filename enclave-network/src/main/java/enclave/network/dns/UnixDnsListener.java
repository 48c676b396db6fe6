package enclave.network.dns;

import enclave.core.ResourceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS over a Unix domain socket with TCP framing (two-byte length before each message), answering as one view: how
 * a worker sandbox without the platform's addresses still resolves through the platform.
 */
public final class UnixDnsListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnixDnsListener.class);

    private final Path socket;
    private final Optional<ResourceId> network;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    /** Binds {@code socket} (replacing a stale file) and starts answering as the view of {@code network} (empty: public). */
    public UnixDnsListener(Path socket, Optional<ResourceId> network, DnsQueryHandler handler) {
        this.socket = socket;
        this.network = network;
        try {
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for DNS on " + socket, e);
        }
        acceptor = Thread.ofPlatform().daemon().name("dns-unix-" + socket.getFileName()).start(() -> accept(handler));
    }

    private void accept(DnsQueryHandler handler) {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.warn("DNS on {}: accept failed: {}", socket, e.toString());
                }
                return;
            }
            Thread.ofVirtual().name("dns-unix-conn").start(() -> {
                try (client) {
                    TcpFraming.serve(Channels.newInputStream(client), Channels.newOutputStream(client), query -> handler.answer(query, network));
                } catch (IOException e) {
                    log.debug("DNS on {}: connection ended: {}", socket, e.toString());
                }
            });
        }
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(2000);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.warn("closing DNS socket {}: {}", socket, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
