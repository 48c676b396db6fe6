package enclave.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar enclave-server.jar --home DIR [--management-port N] [--gateway-port N] [--dns-port N] [--dns-upstream HOST:PORT] [--https-port N] [--python PATH] [--no-standby-interpreter]}: runs Enclave in
 * the foreground until SIGTERM/SIGINT; writes {@code <home>/server.json} once ready and removes it on a clean stop.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        ServerConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("enclave-server: " + e.getMessage());
            System.err.println("usage: enclave-server --home DIR [--management-port N] [--gateway-port N] [--dns-port N] [--dns-upstream HOST:PORT] [--https-port N] [--python PATH] [--no-standby-interpreter]");
            System.exit(2);
            return;
        }
        Files.createDirectories(config.home().resolve("logs"));
        System.setProperty("enclave.logdir", config.home().resolve("logs").toAbsolutePath().toString());

        EnclaveServer server;
        try {
            server = new EnclaveServer(config).start();
        } catch (RuntimeException e) {
            System.err.println("enclave-server: could not start: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(Main.class).error("start failed", e);
            System.exit(1);
            return;
        }
        System.out.println("enclave " + EnclaveServer.VERSION + " is ready: management " + server.managementUrl() + ", gateway " + server.gatewayUrl()
                + ", dns " + server.dns().publicAddress() + ":" + server.dns().port());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "enclave-shutdown"));
        stopped.await();
    }

    static ServerConfig parse(String[] args) {
        String home = System.getenv().getOrDefault("ENCLAVE_HOME", ".enclave");
        int management = ServerConfig.DEFAULT_MANAGEMENT_PORT;
        int gateway = ServerConfig.DEFAULT_GATEWAY_PORT;
        String python = System.getenv().getOrDefault("ENCLAVE_PYTHON", "/usr/bin/python3");
        int dns = ServerConfig.DEFAULT_DNS_PORT;
        java.util.Optional<String> dnsUpstream = java.util.Optional.ofNullable(System.getenv("ENCLAVE_DNS_UPSTREAM"));
        int https = ServerConfig.DEFAULT_HTTPS_PORT;
        boolean standby = true;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--no-standby-interpreter")) {
                standby = false;
                continue;
            }
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--home" -> home = require(args[i], value);
                case "--management-port" -> management = port(args[i], require(args[i], value));
                case "--gateway-port" -> gateway = port(args[i], require(args[i], value));
                case "--python" -> python = require(args[i], value);
                case "--dns-port" -> dns = port(args[i], require(args[i], value));
                case "--dns-upstream" -> dnsUpstream = java.util.Optional.of(require(args[i], value));
                case "--https-port" -> https = port(args[i], require(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        // Deployments resolve through the platform's DNS: names it does not serve go where this machine's resolver points.
        if (dnsUpstream.isEmpty()) {
            dnsUpstream = hostResolver();
        }
        return ServerConfig.defaults(Path.of(home).toAbsolutePath()).withPorts(management, gateway).withPython(python).withDns(dns, dnsUpstream)
                .withHttpsPort(https).withStandbyInterpreter(standby);
    }

    /** The first nameserver of /etc/resolv.conf, as {@code host:53}, unless it is on loopback (it could be ourselves). */
    static java.util.Optional<String> hostResolver() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/etc/resolv.conf")).stream().map(String::trim).filter(line -> line.startsWith("nameserver "))
                    .map(line -> line.substring("nameserver ".length()).trim()).filter(address -> address.matches("[0-9.]+") && !address.startsWith("127."))
                    .findFirst().map(address -> address + ":53");
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static int port(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a port number, got " + value);
        }
    }
}
