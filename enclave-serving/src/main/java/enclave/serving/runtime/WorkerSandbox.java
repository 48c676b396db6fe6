package enclave.serving.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Puts a deployment's workers into the network its {@link WorkerNetwork} names: nothing for {@code Host}; else
 * {@code unshare} makes new namespaces and {@code enclave_sandbox.py} sets them up and runs the worker inside. No named
 * namespace ({@code ip netns}) exists: each dies with its processes, so a crash leaves nothing behind.
 */
final class WorkerSandbox {
    static final Path DEFAULT_UNSHARE = Path.of("/usr/bin/unshare");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

    private final Path unshare;
    private final Path python;
    private final Path script;
    // Namespaces cannot appear later in a running server: once they worked, they keep working.
    private volatile boolean available;

    WorkerSandbox(Path unshare, Path python, Path script) {
        this.unshare = unshare;
        this.python = python;
        this.script = script;
    }

    /**
     * What comes before the worker's command line for {@code spec}; writes the sandbox's configuration into
     * {@code spec.workDir()}.
     *
     * @throws EnclaveException {@code NetworkIsolationUnavailable} when the server cannot make namespaces
     */
    List<String> launcher(WorkerSpec spec) {
        Map<String, Object> config = new LinkedHashMap<>();
        List<String> namespaces = switch (spec.network()) {
            case WorkerNetwork.Host host -> List.of();
            case WorkerNetwork.Resolved resolved -> {
                config.put("isolated", false);
                config.put("resolvConf", resolved.resolvConf().toString());
                yield List.of("--mount");
            }
            case WorkerNetwork.Isolated isolated -> {
                config.put("isolated", true);
                config.put("resolvConf", isolated.resolvConf().toString());
                config.put("tcpForwards", isolated.forwards().stream()
                        .map(forward -> Map.of("ip", forward.ip(), "port", forward.port(), "socket", forward.unixSocket().toString()))
                        .toList());
                config.put("dns", Map.of("ip", isolated.dns().ip(), "socket", isolated.dns().unixSocket().toString()));
                yield List.of("--net", "--mount");
            }
        };
        if (namespaces.isEmpty()) {
            return List.of();
        }
        requireNamespaces(spec.network());
        Path configFile = write(spec.workDir(), config);
        List<String> launcher = new ArrayList<>();
        launcher.add(unshare.toString());
        launcher.addAll(namespaces);
        launcher.addAll(List.of("--propagation", "private", "--", python.toString(), "-I", "-S", script.toString(),
                "--config", configFile.toString(), "--"));
        return launcher;
    }

    /** Why namespaces cannot be made here, or empty when they can (probed once, then remembered). */
    java.util.Optional<String> problem() {
        if (available) {
            return java.util.Optional.empty();
        }
        String problem = probe();
        available = problem.isEmpty();
        return available ? java.util.Optional.empty() : java.util.Optional.of(problem);
    }

    private void requireNamespaces(WorkerNetwork network) {
        if (available) {
            return;
        }
        String problem = probe();
        if (problem.isEmpty()) {
            available = true;
            return;
        }
        String needed = network instanceof WorkerNetwork.Isolated
                ? "Egress isolation (egress_public_network_access: disabled) needs Linux network namespaces"
                : "The deployment's private DNS resolution needs a Linux mount namespace";
        throw new EnclaveException(ErrorCode.NetworkIsolationUnavailable, needed + ", which this server cannot create ("
                + problem + "). Run the Enclave server as root on Linux with util-linux's unshare at " + unshare
                + ", or deploy without private networking (egress_public_network_access: enabled and no private endpoints).");
    }

    /** @return why namespaces cannot be made, or "" when they can */
    private String probe() {
        if (!Files.isExecutable(unshare)) {
            return unshare + " does not exist or is not executable";
        }
        try {
            Process process = new ProcessBuilder(unshare.toString(), "--net", "--mount", "--propagation", "private", "--", "true")
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return unshare + " did not finish within 10 s";
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.exitValue() == 0 ? "" : "unshare says: " + output;
        } catch (IOException e) {
            return "cannot run " + unshare + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking for namespaces";
        }
    }

    /** Writes the sandbox's configuration, and for an isolated network a localhost-only {@code /etc/hosts}, into {@code workDir}. */
    private static Path write(Path workDir, Map<String, Object> config) {
        try {
            Path directory = Files.createDirectories(workDir.toAbsolutePath().resolve("sandbox"));
            if (Boolean.TRUE.equals(config.get("isolated"))) {
                config.put("hosts", Files.writeString(directory.resolve("hosts"), HOSTS, StandardCharsets.UTF_8).toString());
            }
            return Files.write(directory.resolve("network.json"), JSON.writeValueAsBytes(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox configuration into " + workDir, e);
        }
    }
}
