package enclave.cli.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.cli.console.CliException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyValuesTest {
    @Test
    void trafficInOneQuotedArgument() {
        assertThat(KeyValues.traffic("--traffic", List.of("blue=90 green=10")))
                .containsExactly(Map.entry("blue", 90), Map.entry("green", 10));
    }

    @Test
    void trafficInSeveralArgumentsOrWithCommas() {
        assertThat(KeyValues.traffic("--traffic", List.of("blue=90", "green=10"))).containsEntry("blue", 90).containsEntry("green", 10);
        assertThat(KeyValues.traffic("--traffic", List.of("blue=0,green=100"))).containsEntry("blue", 0).containsEntry("green", 100);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "blue=abc|--traffic: the weight of 'blue' must be a whole number from 0 to 100, not 'abc'",
        "blue=|--traffic: the weight of 'blue' must be a whole number from 0 to 100, not ''",
        "blue=101|--traffic: the weight of 'blue' must be from 0 to 100, not 101",
        "blue=-1|--traffic: the weight of 'blue' must be from 0 to 100, not -1",
        "blue|--traffic: 'blue' must look like name=value",
        "blue=50 blue=50|--traffic: 'blue' is given twice",
    })
    void badTrafficIsAUsageError(String argument, String message) {
        assertThatThrownBy(() -> KeyValues.traffic("--traffic", List.of(argument)))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(CliException.USAGE))
                .hasMessage(message);
    }

    @Test
    void tagsKeepSpacesInValues() {
        assertThat(KeyValues.tags(List.of("owner=ml team", "tier=1", "flag"))).containsEntry("owner", "ml team")
                .containsEntry("tier", "1").containsEntry("flag", "");
    }
}
