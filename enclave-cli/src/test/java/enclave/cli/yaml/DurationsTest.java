package enclave.cli.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"5000,PT5S", "500,PT0.5S", "90000,PT1M30S", "1,PT0.001S"})
    void millisecondsRoundTrip(long millis, String iso) {
        assertThat(Durations.millis(millis)).isEqualTo(iso);
        assertThat(Durations.toMillis(TextNode.valueOf(iso))).contains(millis);
    }

    @ParameterizedTest
    @CsvSource({"10,PT10S", "0,PT0S", "3600,PT1H"})
    void secondsRoundTrip(long seconds, String iso) {
        assertThat(Durations.seconds(seconds)).isEqualTo(iso);
        assertThat(Durations.toSeconds(TextNode.valueOf(iso))).contains(seconds);
    }
}
