package enclave.network.dns;

import enclave.core.ResourceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * The platform's DNS server: the public resolver on {@code <bind address>:<port>} and one resolver per virtual network
 * on {@code <resolver address>:<same port>}, each over UDP and TCP, each answering as its own view ({@link SplitHorizon}).
 * dnsjava decodes and encodes; a packet it cannot decode is logged and answered FORMERR (or dropped), never fatal.
 */
public final class DnsServer implements DnsQueryHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    /** RFC 1035 §4.2.1: without EDNS a UDP answer fits 512 bytes. */
    private static final int UDP_PLAIN = 512;
    /** The EDNS buffer size we offer and honour at most (DNS flag day 2020). */
    private static final int UDP_EDNS = 1232;
    private static final int TCP_MAX = 65535;
    private static final int BIND_ATTEMPTS = 20;

    private final SplitHorizon views;
    private final Resolver publicResolver;
    private final int port;
    private final Map<String, Resolver> networkResolvers = new ConcurrentHashMap<>();

    /**
     * Binds the public resolver at once.
     *
     * @param port the platform's DNS port; 0 picks a free one, which every virtual network's resolver then reuses
     */
    public DnsServer(SplitHorizon views, String publicAddress, int port) {
        this.views = views;
        this.publicResolver = bindPublic(publicAddress, port);
        this.port = publicResolver.port();
        log.info("DNS: public resolver on {}:{} (udp, tcp)", publicAddress, this.port);
    }

    private Resolver bindPublic(String address, int requested) {
        UncheckedIOException last = null;
        for (int attempt = 0; attempt < (requested == 0 ? BIND_ATTEMPTS : 1); attempt++) {
            try {
                return new Resolver(address, requested, Optional.empty());
            } catch (UncheckedIOException e) {
                // with port 0 the UDP port may be free while the same TCP port is not: pick again
                last = e;
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public String publicAddress() {
        return publicResolver.address;
    }

    /** Starts the network's resolver on its resolver address (idempotent; a changed address moves it). */
    public void addNetwork(ResolverNetwork network) {
        networkResolvers.compute(network.id().key(), (key, existing) -> {
            if (existing != null && existing.address.equals(network.resolverAddress())) {
                return existing;
            }
            if (existing != null) {
                existing.close();
            }
            Resolver resolver = new Resolver(network.resolverAddress(), port, Optional.of(network.id()));
            log.info("DNS: resolver of virtual network {} on {}:{}", network.name(), network.resolverAddress(), port);
            return resolver;
        });
    }

    /** Stops the network's resolver, if it runs. */
    public void removeNetwork(ResourceId network) {
        Resolver resolver = networkResolvers.remove(network.key());
        if (resolver != null) {
            resolver.close();
        }
    }

    /** Answers a wire-format query as the view of {@code network} (empty: public), at TCP sizes. Empty: do not reply. */
    @Override
    public byte[] answer(byte[] query, Optional<ResourceId> network) {
        return respond(query, network, TCP_MAX, "a caller");
    }

    /** A Unix-domain-socket listener (DNS-over-TCP framing) answering as one view. */
    public UnixDnsListener listenUnix(Path socket, Optional<ResourceId> network) {
        return new UnixDnsListener(socket, network, this);
    }

    private byte[] respond(byte[] wire, Optional<ResourceId> network, int maxUdp, String from) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException | RuntimeException e) {
            log.warn("DNS: malformed query from {} ({} bytes): {}", from, wire.length, e.toString());
            return formatError(wire);
        }
        Message response;
        try {
            response = views.answer(query, network);
        } catch (RuntimeException e) {
            log.error("DNS: answering {} for {} failed", query.getQuestion(), from, e);
            response = new Message(query.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setRcode(Rcode.SERVFAIL);
            if (query.getQuestion() != null) {
                response.addRecord(query.getQuestion(), Section.QUESTION);
            }
        }
        OPTRecord edns = query.getOPT();
        int limit = maxUdp;
        if (edns != null) {
            if (response.getOPT() == null) {
                response.addRecord(new OPTRecord(UDP_EDNS, 0, 0), Section.ADDITIONAL);
            }
            limit = maxUdp == TCP_MAX ? TCP_MAX : Math.clamp(edns.getPayloadSize(), UDP_PLAIN, UDP_EDNS);
        }
        // dnsjava drops whole RRsets that do not fit and sets TC, so the client retries over TCP
        return response.toWire(limit);
    }

    private static byte[] formatError(byte[] wire) {
        // Only a query gets an answer: replying to a malformed response could start a loop between two servers.
        if (wire.length < 12 || (wire[2] & 0x80) != 0) {
            return new byte[0];
        }
        Message response = new Message(((wire[0] & 0xff) << 8) | (wire[1] & 0xff));
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setRcode(Rcode.FORMERR);
        return response.toWire();
    }

    @Override
    public void close() {
        networkResolvers.values().forEach(Resolver::close);
        networkResolvers.clear();
        publicResolver.close();
    }

    /** One resolver address: a UDP socket and a TCP listener on the same port, answering as one view. */
    private final class Resolver {
        final String address;
        final Optional<ResourceId> network;
        final DatagramSocket udp;
        final ServerSocket tcp;
        private final Thread udpThread;
        private final Thread tcpThread;

        Resolver(String address, int port, Optional<ResourceId> network) {
            this.address = address;
            this.network = network;
            InetAddress ip = ZoneFile.address(address);
            DatagramSocket datagrams = null;
            try {
                datagrams = new DatagramSocket(null);
                datagrams.setReuseAddress(true);
                datagrams.bind(new InetSocketAddress(ip, port));
                ServerSocket stream = new ServerSocket();
                try {
                    stream.setReuseAddress(true);
                    stream.bind(new InetSocketAddress(ip, datagrams.getLocalPort()), 64);
                } catch (IOException e) {
                    stream.close();
                    throw e;
                }
                this.udp = datagrams;
                this.tcp = stream;
            } catch (IOException e) {
                if (datagrams != null) {
                    datagrams.close();
                }
                throw new UncheckedIOException("cannot listen for DNS on " + address + ":" + port + " (udp and tcp): " + e.getMessage()
                        + (port != 0 && port < 1024 ? "; a port below 1024 needs root, or choose another with --dns-port" : "; choose another port with --dns-port"), e);
            }
            String view = network.map(ResourceId::name).orElse("public");
            udpThread = Thread.ofPlatform().daemon().name("dns-udp-" + view).start(this::receive);
            tcpThread = Thread.ofPlatform().daemon().name("dns-tcp-" + view).start(this::accept);
        }

        int port() {
            return udp.getLocalPort();
        }

        private void receive() {
            byte[] buffer = new byte[TCP_MAX];
            while (!udp.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    udp.receive(packet);
                } catch (IOException e) {
                    if (!udp.isClosed()) {
                        log.warn("DNS on {}: receive failed: {}", address, e.toString());
                    }
                    continue;
                }
                byte[] query = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
                InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
                // Forwarding may block on the upstream: each query on its own virtual thread.
                Thread.ofVirtual().start(() -> {
                    byte[] response = respond(query, network, UDP_PLAIN, client.toString());
                    if (response.length == 0) {
                        return;
                    }
                    try {
                        udp.send(new DatagramPacket(response, response.length, client));
                    } catch (IOException e) {
                        if (!udp.isClosed()) {
                            log.warn("DNS on {}: reply to {} failed: {}", address, client, e.toString());
                        }
                    }
                });
            }
        }

        private void accept() {
            while (!tcp.isClosed()) {
                Socket client;
                try {
                    client = tcp.accept();
                } catch (IOException e) {
                    if (!tcp.isClosed()) {
                        log.warn("DNS on {}: accept failed: {}", address, e.toString());
                    }
                    continue;
                }
                Thread.ofVirtual().start(() -> {
                    String from = client.getRemoteSocketAddress().toString();
                    try (client) {
                        client.setSoTimeout(30_000);
                        TcpFraming.serve(client.getInputStream(), client.getOutputStream(), query -> respond(query, network, TCP_MAX, from));
                    } catch (SocketException e) {
                        log.debug("DNS on {}: connection from {} ended: {}", address, from, e.toString());
                    } catch (IOException e) {
                        log.debug("DNS on {}: connection from {} failed: {}", address, from, e.toString());
                    }
                });
            }
        }

        /** Closes both sockets and waits for their threads: a socket closed while a thread blocks in it is released only when that thread leaves. */
        void close() {
            udp.close();
            try {
                tcp.close();
            } catch (IOException e) {
                log.warn("DNS on {}: closing the TCP listener: {}", address, e.toString());
            }
            try {
                udpThread.join(2000);
                tcpThread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
