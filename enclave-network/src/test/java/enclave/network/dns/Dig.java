package enclave.network.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real {@code dig} (Debian's dnsutils), as a user would run it against the platform's resolvers. */
final class Dig {
    private static final Pattern STATUS = Pattern.compile("status: (\\w+)");

    /** What one dig printed: the status and the answer section's records ({@code name ttl IN type data}, whitespace-normalized). */
    record Answer(String status, List<String> records, boolean authoritative, String output) {}

    private Dig() {}

    static Answer query(String server, int port, String name, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dig", "@" + server, "-p", Integer.toString(port), name, "+tries=1", "+time=5", "+noall", "+comments", "+answer"));
        command.addAll(List.of(options));
        Process dig = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!dig.waitFor(30, TimeUnit.SECONDS) || dig.exitValue() != 0) {
            throw new IllegalStateException("dig failed: " + output);
        }
        Matcher status = STATUS.matcher(output);
        if (!status.find()) {
            throw new IllegalStateException("dig printed no status: " + output);
        }
        List<String> records = new ArrayList<>();
        boolean inAnswer = false;
        for (String line : output.split("\n")) {
            if (line.startsWith(";; ANSWER SECTION")) {
                inAnswer = true;
            } else if (line.isBlank()) {
                inAnswer = false;
            } else if (inAnswer && !line.startsWith(";")) {
                records.add(line.strip().replaceAll("\\s+", " "));
            }
        }
        boolean authoritative = output.matches("(?s).*flags:[a-z ]* aa[ ;].*");
        return new Answer(status.group(1), records, authoritative, output);
    }

    /** {@code dig +short}: the data of each answer record, one a line. */
    static List<String> shortAnswer(String server, int port, String name, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dig", "@" + server, "-p", Integer.toString(port), name, "+short", "+tries=1", "+time=5"));
        command.addAll(List.of(options));
        Process dig = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!dig.waitFor(30, TimeUnit.SECONDS) || dig.exitValue() != 0) {
            throw new IllegalStateException("dig failed: " + output);
        }
        return output.lines().filter(line -> !line.isBlank()).toList();
    }
}
