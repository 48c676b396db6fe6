package enclave.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.CliException;
import enclave.cli.console.Progress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Waits for an ARM long-running operation: a 201/202 answer with {@code Azure-AsyncOperation} is polled
 * until its {@code status} is terminal, showing {@code properties.stage} as it goes. A 202 with only a
 * {@code Location} is polled until that url stops answering 202.
 */
public final class LongRunningOperation {
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled", "cancelled");
    /** The first poll comes this soon: a local platform often finishes (a traffic change, a fast init()) within it. */
    private static final Duration FIRST_POLL = Duration.ofMillis(50);
    /**
     * ...and the interval doubles up to this one. A poll costs the local server about a millisecond, while every
     * interval adds half of itself to a deploy on average: 100 ms, not the 200 ms it was (issue 6).
     */
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LONGEST_RETRY_AFTER = Duration.ofSeconds(5);
    /** How long a server that can may hold a status poll until the operation changes ({@code Prefer: wait}). */
    private static final Duration HELD_POLL = Duration.ofSeconds(5);

    private final ManagementClient client;
    private final Progress progress;

    public LongRunningOperation(ManagementClient client, Progress progress) {
        this.client = client;
        this.progress = progress;
    }

    /** Returns when the operation succeeded; throws with the operation's error message when it did not. */
    public void await(ApiResponse accepted, String firstStage) {
        Optional<String> operation = accepted.header("Azure-AsyncOperation");
        if (operation.isPresent()) {
            pollOperation(URI.create(operation.get()), accepted, firstStage);
        } else if (accepted.status() == 202 && accepted.header("Location").isPresent()) {
            pollLocation(URI.create(accepted.header("Location").get()), accepted, firstStage);
        }
    }

    private void pollOperation(URI url, ApiResponse accepted, String firstStage) {
        progress.stage(firstStage);
        ApiResponse last = accepted;
        Optional<String> seen = Optional.empty();
        int stagesShown = 0;
        Duration interval = FIRST_POLL;
        boolean first = true;
        try {
            while (true) {
                // The first poll goes at once; later ones only sleep when the server does not hold a poll until the
                // operation changes (Enclave does; see OperationApi), which shows each stage the moment it happens.
                if (!first && last.header("Preference-Applied").isEmpty()) {
                    sleep(last, interval);
                    interval = next(interval);
                }
                first = false;
                Map<String, String> conditions = new LinkedHashMap<>();
                conditions.put("Prefer", "wait=" + HELD_POLL.toSeconds());
                seen.ifPresent(tag -> conditions.put("If-None-Match", tag));
                last = client.getUrl(url, conditions);
                if (last.status() == 304) {
                    progress.tick();
                    continue;
                }
                seen = last.header("ETag");
                JsonNode status = last.body();
                String state = status.path("status").asText("InProgress");
                // Enclave lists every stage so far: show the ones this poll has not seen, even when they went by quickly.
                JsonNode stages = status.path("properties").path("stages");
                for (; stagesShown < stages.size(); stagesShown++) {
                    String passed = stages.get(stagesShown).asText("");
                    if (!passed.isEmpty()) {
                        progress.stage(passed);
                    }
                }
                if (TERMINAL.contains(state.toLowerCase(Locale.ROOT))) {
                    progress.close();
                    if (!state.equalsIgnoreCase("succeeded")) {
                        throw failure(status, state);
                    }
                    return;
                }
                String stage = status.path("properties").path("stage").asText("");
                if (stage.isEmpty()) {
                    progress.tick();
                } else {
                    progress.stage(stage);
                }
            }
        } finally {
            progress.close();
        }
    }

    private void pollLocation(URI url, ApiResponse accepted, String firstStage) {
        progress.stage(firstStage);
        ApiResponse last = accepted;
        Duration interval = FIRST_POLL;
        try {
            while (last.status() == 202) {
                sleep(last, interval);
                interval = next(interval);
                last = client.getUrl(url);
                progress.tick();
            }
        } finally {
            progress.close();
        }
    }

    private static CliException failure(JsonNode status, String state) {
        JsonNode error = status.path("error");
        String code = error.path("code").asText("");
        String message = error.path("message").asText("");
        if (message.isEmpty()) {
            message = status.path("properties").path("message").asText("");
        }
        if (message.isEmpty()) {
            message = "the operation ended as " + state;
        }
        return new CliException(code.isEmpty() ? "Operation" + state : code, message);
    }

    private static Duration next(Duration interval) {
        Duration doubled = interval.multipliedBy(2);
        return doubled.compareTo(POLL) < 0 ? doubled : POLL;
    }

    private static void sleep(ApiResponse last, Duration interval) {
        Duration wait = interval;
        Optional<String> retryAfter = last.header("Retry-After");
        if (retryAfter.isPresent()) {
            try {
                Duration asked = Duration.ofSeconds(Long.parseLong(retryAfter.get().trim()));
                // Retry-After is a lower bound for polite clients of a remote service; a local platform answers in
                // milliseconds, so poll at our own pace unless the server asks for less.
                if (asked.compareTo(LONGEST_RETRY_AFTER) <= 0 && !asked.isZero() && asked.compareTo(wait) < 0) {
                    wait = asked;
                }
            } catch (NumberFormatException e) {
                // an HTTP-date: keep our own interval
            }
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted", "stopped waiting for the operation; it continues on the server");
        }
    }
}
