package enclave.server;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How one Enclave process runs. Ports 0 pick free ports (tests).
 *
 * @param home the data directory ({@code $ENCLAVE_HOME})
 * @param python the interpreter that runs scoring scripts (Debian's {@code /usr/bin/python3} by default)
 * @param maxRequestBytes the largest scoring request body accepted (413 beyond)
 * @param dnsPort the DNS port of the public resolver and of every virtual network's resolver (0: a free one, the same on all)
 * @param dnsUpstream where names the platform does not serve are forwarded ({@code host:port}); none: they are REFUSED
 * @param httpsPort a second public gateway listener (443 as root), so Azure-style URLs without a port reach the platform; 0: none
 * @param standbyInterpreter whether the worker runtime keeps a standby interpreter for the next worker (on by default)
 */
public record ServerConfig(Path home, String bindAddress, int managementPort, int gatewayPort, String python, String location, long maxRequestBytes,
        int dnsPort, Optional<String> dnsUpstream, int httpsPort, boolean standbyInterpreter) {
    public static final int DEFAULT_MANAGEMENT_PORT = 47443;
    public static final int DEFAULT_GATEWAY_PORT = 47444;
    /** DNS on its standard port where the server may bind it (root), else a high port. */
    public static final int DEFAULT_DNS_PORT = Privileges.root() ? 53 : 47453;
    /** Azure's URLs carry no port: as root the gateway also listens on 443. */
    public static final int DEFAULT_HTTPS_PORT = Privileges.root() ? 443 : 0;

    public ServerConfig {
        if (managementPort < 0 || managementPort > 65535 || gatewayPort < 0 || gatewayPort > 65535 || dnsPort < 0 || dnsPort > 65535
                || httpsPort < 0 || httpsPort > 65535) {
            throw new IllegalArgumentException("ports must be 0-65535");
        }
        if (!bindAddress.startsWith("127.") && !bindAddress.equals("localhost")) {
            throw new IllegalArgumentException("Enclave listens on loopback only on one machine; got " + bindAddress);
        }
        dnsUpstream = dnsUpstream == null ? Optional.empty() : dnsUpstream.filter(upstream -> !upstream.isBlank());
    }

    public static ServerConfig defaults(Path home) {
        return new ServerConfig(home, "127.0.0.1", DEFAULT_MANAGEMENT_PORT, DEFAULT_GATEWAY_PORT, "/usr/bin/python3", "local", 16L * 1024 * 1024,
                DEFAULT_DNS_PORT, Optional.empty(), DEFAULT_HTTPS_PORT, true);
    }

    public ServerConfig withPorts(int management, int gateway) {
        return new ServerConfig(home, bindAddress, management, gateway, python, location, maxRequestBytes, dnsPort, dnsUpstream, httpsPort, standbyInterpreter);
    }

    public ServerConfig withPython(String newPython) {
        return new ServerConfig(home, bindAddress, managementPort, gatewayPort, newPython, location, maxRequestBytes, dnsPort, dnsUpstream, httpsPort, standbyInterpreter);
    }

    public ServerConfig withHttpsPort(int port) {
        return new ServerConfig(home, bindAddress, managementPort, gatewayPort, python, location, maxRequestBytes, dnsPort, dnsUpstream, port, standbyInterpreter);
    }

    public ServerConfig withBindAddress(String address) {
        return new ServerConfig(home, address, managementPort, gatewayPort, python, location, maxRequestBytes, dnsPort, dnsUpstream, httpsPort, standbyInterpreter);
    }

    public ServerConfig withStandbyInterpreter(boolean standby) {
        return new ServerConfig(home, bindAddress, managementPort, gatewayPort, python, location, maxRequestBytes, dnsPort, dnsUpstream, httpsPort, standby);
    }

    public ServerConfig withDns(int port, Optional<String> upstream) {
        return new ServerConfig(home, bindAddress, managementPort, gatewayPort, python, location, maxRequestBytes, port, upstream, httpsPort, standbyInterpreter);
    }
}
