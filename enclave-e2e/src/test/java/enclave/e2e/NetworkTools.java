package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real clients network tests drive: {@code curl} (connecting to the address a resolver gave) and {@code dig}. */
final class NetworkTools {
    private NetworkTools() {}

    /** An HTTP answer: the status (0 when curl could not connect) and the body (or curl's complaint). */
    record Answer(int status, String body) {}

    /**
     * curl {@code url}, trusting the platform CA; with {@code connectTo}, the URL's host and port are reached at that address
     * (what a resolver in some network answered), as a client in that network would. {@code headers} are "Name: value";
     * a {@code body} makes it a POST.
     */
    static Answer curl(Path caFile, String url, String connectTo, List<String> headers, String body) throws Exception {
        URI uri = URI.create(url);
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert", caFile.toString(), "-w", "\n%{http_code}"));
        if (connectTo != null) {
            int port = uri.getPort() < 0 ? 443 : uri.getPort();
            command.addAll(List.of("--resolve", uri.getHost() + ":" + port + ":" + connectTo));
        }
        headers.forEach(header -> command.addAll(List.of("-H", header)));
        if (body != null) {
            command.addAll(List.of("--data-binary", body));
        }
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        int newline = output.lastIndexOf('\n');
        return new Answer(Integer.parseInt(output.substring(newline + 1).trim()), output.substring(0, newline));
    }

    /** The real {@code dig} for {@code name} at {@code resolver:port} (an A query unless the options say otherwise): its output lines. */
    static List<String> dig(String resolver, int port, String name, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("dig", "@" + resolver, "-p", Integer.toString(port), name, "A", "+time=5", "+tries=1"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().map(String::trim).filter(line -> !line.isEmpty()).toList();
    }
}
