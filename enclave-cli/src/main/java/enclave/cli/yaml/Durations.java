package enclave.cli.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** YAML's milliseconds and seconds against ARM's ISO-8601 durations ({@code PT5S}, {@code PT0.5S}). */
public final class Durations {
    private Durations() {}

    public static String millis(long millis) {
        return Duration.ofMillis(millis).toString();
    }

    public static String seconds(long seconds) {
        return Duration.ofSeconds(seconds).toString();
    }

    /** An ISO duration from the server as milliseconds; absent when missing or not a duration. */
    public static Optional<Long> toMillis(JsonNode iso) {
        return parse(iso).map(Duration::toMillis);
    }

    public static Optional<Long> toSeconds(JsonNode iso) {
        return parse(iso).map(Duration::toSeconds);
    }

    private static Optional<Duration> parse(JsonNode iso) {
        if (iso == null || !iso.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.parse(iso.asText()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
