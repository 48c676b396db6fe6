package enclave.server.fabric;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.PlatformNames;
import enclave.server.tls.CertificateAuthority;
import enclave.serving.gateway.NetworkPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one Enclave process, and the network path each one stands for. The public listeners (management and
 * gateway on the bind address) open with the fabric; a private endpoint adds a gateway listener on its private IP and the
 * gateway's port ({@link #bind}); a worker sandbox adds Unix-domain listeners ({@link #openUnix}) that stand for the
 * path its network namespace would take. A request's path is read from the connector that accepted it
 * ({@link #bindingOf}), never from a header.
 */
public final class Fabric {
    private static final Logger log = LoggerFactory.getLogger(Fabric.class);
    private static final Pattern LOOPBACK_IPV4 = Pattern.compile("127\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){2}");
    private static final String KEY_PASSWORD = "enclave";
    private static final long IDLE_TIMEOUT_MS = 120_000;

    /** Which front a listener serves. */
    public enum Plane {
        /** Scoring and blob (data plane), always over TLS on TCP. */
        GATEWAY,
        /** ARM REST, identity, and the workers' managed-identity token endpoint. */
        MANAGEMENT
    }

    /** What a listener serves and the network path its requests came in on. */
    public record Binding(Plane plane, NetworkPath path) {}

    /** A listener that knows its binding, so a request's path is one field read away. */
    private interface Bound {
        Binding binding();
    }

    private static final class TcpListener extends ServerConnector implements Bound {
        private final Binding binding;

        TcpListener(Server server, Binding binding, ConnectionFactory... factories) {
            super(server, factories);
            this.binding = binding;
        }

        @Override
        public Binding binding() {
            return binding;
        }
    }

    private static final class UnixListener extends UnixDomainServerConnector implements Bound {
        private final Binding binding;

        UnixListener(Server server, Binding binding, ConnectionFactory... factories) {
            super(server, factories);
            this.binding = binding;
        }

        @Override
        public Binding binding() {
            return binding;
        }
    }

    private final Server jetty;
    private final CertificateAuthority ca;
    private final PlatformNames names;
    private final String bindAddress;
    private final UriCompliance gatewayUriCompliance;
    private final TcpListener management;
    private final TcpListener gateway;
    private final KeyStore publicKeys;
    private final Map<String, TcpListener> privateEndpoints = new LinkedHashMap<>();
    private final Map<Path, UnixListener> unixListeners = new LinkedHashMap<>();
    /** The private endpoints' listeners on {@link #httpsPort}, beside those on the gateway port. */
    private final Map<String, TcpListener> privateEndpointsHttps = new LinkedHashMap<>();
    private int httpsPort;

    /**
     * Opens the public listeners: management on {@code bindAddress:managementPort} and the gateway on
     * {@code bindAddress:gatewayPort} (0 picks a free port), with a certificate for the bind address, {@code localhost}
     * and the platform's wildcard names.
     */
    public Fabric(Server jetty, CertificateAuthority ca, PlatformNames names, String bindAddress, int managementPort, int gatewayPort,
            UriCompliance gatewayUriCompliance) {
        this.jetty = jetty;
        this.ca = ca;
        this.names = names;
        this.bindAddress = bindAddress;
        this.gatewayUriCompliance = gatewayUriCompliance;
        this.publicKeys = keysFor(bindAddress);
        NetworkPath publicPath = NetworkPath.Public.INSTANCE;
        management = tcp(new Binding(Plane.MANAGEMENT, publicPath), bindAddress, managementPort, publicKeys, UriCompliance.DEFAULT);
        gateway = tcp(new Binding(Plane.GATEWAY, publicPath), bindAddress, gatewayPort, publicKeys, gatewayUriCompliance);
        try {
            management.open();
            gateway.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindAddress + " ports " + managementPort + "/" + gatewayPort
                    + " (is another Enclave running? ./enclave status)", e);
        }
        jetty.addConnector(management);
        jetty.addConnector(gateway);
    }

    /**
     * Also listens on {@code bindAddress:port} for the public gateway, and on {@code <private IP>:port} for every private
     * endpoint bound from now on: Azure's URLs carry no port, so with 443 they reach the platform unchanged. Best effort:
     * a port that cannot be bound is logged and skipped (the gateway port keeps working).
     *
     * @return whether the public listener on that port is open
     */
    public synchronized boolean openHttpsPort(int port) {
        TcpListener listener = tcp(new Binding(Plane.GATEWAY, NetworkPath.Public.INSTANCE), bindAddress, port, publicKeys, gatewayUriCompliance);
        try {
            listener.open();
        } catch (IOException e) {
            log.warn("cannot also listen on {}:{} ({}); Azure-style URLs then need the gateway port {}", bindAddress, port, e.toString(), gatewayPort());
            return false;
        }
        start(listener);
        httpsPort = port;
        log.info("gateway also listening on {}:{}", bindAddress, port);
        return true;
    }

    /** The second gateway port (443 as root), if open. */
    public java.util.OptionalInt httpsPort() {
        return httpsPort == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(httpsPort);
    }

    /** The binding of the listener that accepted {@code request}. */
    public static Binding bindingOf(Request request) {
        if (request.getConnectionMetaData().getConnector() instanceof Bound bound) {
            return bound.binding();
        }
        throw new IllegalStateException("request on a connector the fabric did not make: " + request.getConnectionMetaData().getConnector());
    }

    public int managementPort() {
        return management.getLocalPort();
    }

    public int gatewayPort() {
        return gateway.getLocalPort();
    }

    public String bindAddress() {
        return bindAddress;
    }

    /**
     * Opens the gateway listener of a private endpoint on {@code <address>:<gateway port>}, on a running or not yet
     * started server. Binding the same private endpoint again is a no-op when its address is unchanged and moves it
     * otherwise.
     *
     * @throws EnclaveException {@code InvalidRequestContent} for an address outside 127.0.0.0/8, {@code ListenerUnavailable}
     *     when the address cannot be bound
     */
    public synchronized void bind(NetworkPath.PrivateEndpoint path) {
        if (!LOOPBACK_IPV4.matcher(path.address()).matches()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "private endpoint " + path.privateEndpointName() + " has address '" + path.address()
                    + "': private IPs live inside 127.0.0.0/8 on one machine, so its listener cannot bind there");
        }
        TcpListener existing = privateEndpoints.get(key(path.privateEndpointId()));
        if (existing != null) {
            if (existing.binding().path().equals(path)) {
                return;
            }
            unbind(path.privateEndpointId());
        }
        if (path.address().equals(bindAddress)) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "private endpoint " + path.privateEndpointName() + " has the platform's public address "
                    + bindAddress + "; a private endpoint needs an address of its own");
        }
        TcpListener listener = tcp(new Binding(Plane.GATEWAY, path), path.address(), gatewayPort(), keysFor(path.address()), gatewayUriCompliance);
        try {
            listener.open();
        } catch (IOException e) {
            throw new EnclaveException(ErrorCode.ListenerUnavailable, "cannot listen on " + path.address() + ":" + gatewayPort() + " for " + path.describe()
                    + ": " + e.getMessage() + "; another process or private endpoint holds that address and port (free it, or delete and recreate the "
                    + "private endpoint to get another address)");
        }
        start(listener);
        privateEndpoints.put(key(path.privateEndpointId()), listener);
        log.info("listening on {}:{} for {}", path.address(), gatewayPort(), path.describe());
        if (httpsPort != 0) {
            TcpListener https = tcp(new Binding(Plane.GATEWAY, path), path.address(), httpsPort, keysFor(path.address()), gatewayUriCompliance);
            try {
                https.open();
                start(https);
                privateEndpointsHttps.put(key(path.privateEndpointId()), https);
            } catch (IOException e) {
                log.warn("cannot also listen on {}:{} for {}: {}", path.address(), httpsPort, path.describe(), e.toString());
            }
        }
    }

    /** Closes the listener of a private endpoint (its open connections too); false when it had none. */
    public synchronized boolean unbind(String privateEndpointId) {
        TcpListener listener = privateEndpoints.remove(key(privateEndpointId));
        if (listener == null) {
            return false;
        }
        stop(listener);
        TcpListener https = privateEndpointsHttps.remove(key(privateEndpointId));
        if (https != null) {
            stop(https);
        }
        log.info("closed the listener of {}", listener.binding().path().describe());
        return true;
    }

    /** The private endpoints that have a listener now. */
    public synchronized List<NetworkPath.PrivateEndpoint> boundPrivateEndpoints() {
        List<NetworkPath.PrivateEndpoint> bound = new ArrayList<>();
        privateEndpoints.values().forEach(l -> bound.add((NetworkPath.PrivateEndpoint) l.binding().path()));
        return bound;
    }

    /**
     * Opens a Unix-domain listener at {@code socket} whose requests count as coming in on {@code path}: for the gateway
     * plane with TLS (a sandbox relays a client's raw TCP bytes to it, so TLS ends here, with a certificate for the path's
     * address and the platform names), for the management plane plain HTTP (the managed-identity token endpoint from
     * inside a namespace). A stale socket file at {@code socket} is replaced.
     */
    public synchronized void openUnix(Path socket, Plane plane, NetworkPath path, boolean tls) {
        Path key = socket.toAbsolutePath().normalize();
        if (unixListeners.containsKey(key)) {
            throw new EnclaveException(ErrorCode.Conflict, "a listener is already open at " + key + "; close it first");
        }
        try {
            Files.createDirectories(key.getParent());
            if (Files.exists(key) && !Files.isRegularFile(key) && !Files.isDirectory(key)) {
                Files.delete(key);
            }
        } catch (IOException e) {
            throw new EnclaveException(ErrorCode.ListenerUnavailable, "cannot prepare the socket " + key + ": " + e.getMessage());
        }
        HttpConfiguration http = httpConfiguration(plane == Plane.GATEWAY ? gatewayUriCompliance : UriCompliance.DEFAULT, tls);
        ConnectionFactory[] factories = tls
                ? new ConnectionFactory[] {new SslConnectionFactory(tls(path instanceof NetworkPath.PrivateEndpoint pe ? keysFor(pe.address()) : publicKeys), "http/1.1"),
                    new HttpConnectionFactory(http)}
                : new ConnectionFactory[] {new HttpConnectionFactory(http)};
        UnixListener listener = new UnixListener(jetty, new Binding(plane, path), factories);
        listener.setName(plane.name().toLowerCase(java.util.Locale.ROOT) + "-unix");
        listener.setUnixDomainPath(key);
        listener.setIdleTimeout(IDLE_TIMEOUT_MS);
        // A Unix-domain connector binds when it starts (on a server not started yet: when the server starts).
        start(listener);
        unixListeners.put(key, listener);
        log.info("listening on unix:{} ({} plane, {})", key, plane, path.describe());
    }

    /** Closes the Unix-domain listener at {@code socket} and removes the socket file; false when there was none. */
    public synchronized boolean closeUnix(Path socket) {
        Path key = socket.toAbsolutePath().normalize();
        UnixListener listener = unixListeners.remove(key);
        if (listener == null) {
            return false;
        }
        stop(listener);
        try {
            Files.deleteIfExists(key);
        } catch (IOException e) {
            log.warn("could not remove the socket {}: {}", key, e.toString());
        }
        return true;
    }

    private void start(AbstractConnector listener) {
        jetty.addConnector(listener);
        if (jetty.isStarted() && !listener.isStarted()) {
            try {
                listener.start();
            } catch (Exception e) {
                jetty.removeConnector(listener);
                closeQuietly(listener);
                throw new EnclaveException(ErrorCode.ListenerUnavailable, "cannot start the listener " + describe(listener) + ": " + e);
            }
        }
    }

    private void stop(AbstractConnector listener) {
        jetty.removeConnector(listener);
        try {
            listener.stop();
        } catch (Exception e) {
            log.warn("stopping the listener {} failed: {}", listener, e.toString());
        }
        closeQuietly(listener);
    }

    private static void closeQuietly(Connector listener) {
        if (listener instanceof ServerConnector tcp) {
            tcp.close();
        }
    }

    private static String describe(AbstractConnector listener) {
        return listener instanceof Bound bound ? listener.getName() + " for " + bound.binding().path().describe() : listener.toString();
    }

    /** A server certificate valid for {@code address}, {@code localhost} and every platform wildcard name. */
    private KeyStore keysFor(String address) {
        List<String> dnsNames = new ArrayList<>();
        dnsNames.add("localhost");
        dnsNames.addAll(names.certificateWildcards());
        return ca.issueServerKeyStore(dnsNames, List.of(address), KEY_PASSWORD.toCharArray());
    }

    private TcpListener tcp(Binding binding, String host, int port, KeyStore keys, UriCompliance uriCompliance) {
        TcpListener listener = new TcpListener(jetty, binding, new SslConnectionFactory(tls(keys), "http/1.1"),
                new HttpConnectionFactory(httpConfiguration(uriCompliance, true)));
        listener.setName(binding.plane().name().toLowerCase(java.util.Locale.ROOT));
        listener.setHost(host);
        listener.setPort(port);
        listener.setIdleTimeout(IDLE_TIMEOUT_MS);
        return listener;
    }

    private static SslContextFactory.Server tls(KeyStore keys) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keys);
        tls.setKeyStorePassword(KEY_PASSWORD);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return tls;
    }

    private static HttpConfiguration httpConfiguration(UriCompliance uriCompliance, boolean secure) {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setUriCompliance(uriCompliance);
        if (secure) {
            SecureRequestCustomizer customizer = new SecureRequestCustomizer();
            // Clients reach us by IP or by names the certificate may not list (scoring hosts): do not refuse on SNI.
            customizer.setSniHostCheck(false);
            http.addCustomizer(customizer);
        }
        return http;
    }

    private static String key(String resourceId) {
        return resourceId.toLowerCase(java.util.Locale.ROOT);
    }
}
