package enclave.cli.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutputTest {
    private static final String KEYS = "{\"primaryKey\":\"pk-123\",\"secondaryKey\":\"sk-456\"}";
    private static final String ENDPOINTS = """
            [{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/first",
              "name":"first","type":"Microsoft.MachineLearningServices/workspaces/onlineEndpoints","kind":"Managed",
              "properties":{"authMode":"Key","provisioningState":"Succeeded","traffic":{"blue":90,"green":10},
                "scoringUri":"https://127.0.0.1:47444/endpoints/first/score"}},
             {"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/second-one",
              "name":"second-one","type":"Microsoft.MachineLearningServices/workspaces/onlineEndpoints","kind":"Managed",
              "properties":{"authMode":"AMLToken","provisioningState":"Creating","traffic":{},
                "scoringUri":"https://127.0.0.1:47444/endpoints/second-one/score"}}]""";

    @Test
    void jsonIsIndentedLikeAz() {
        assertThat(print(OutputFormat.JSON, null, "{\"a\":1,\"b\":[1,2],\"c\":{},\"d\":[],\"e\":null}")).isEqualTo("""
                {
                  "a": 1,
                  "b": [
                    1,
                    2
                  ],
                  "c": {},
                  "d": [],
                  "e": null
                }
                """);
    }

    @Test
    void yaml() {
        assertThat(print(OutputFormat.YAML, null, KEYS)).isEqualTo("primaryKey: pk-123\nsecondaryKey: sk-456\n");
    }

    @Test
    void tsvOfAQueriedScalarIsTheBareValue() {
        assertThat(print(OutputFormat.TSV, "primaryKey", KEYS)).isEqualTo("pk-123\n");
    }

    @Test
    void jsonOfAQueriedScalarIsQuoted() {
        assertThat(print(OutputFormat.JSON, "primaryKey", KEYS)).isEqualTo("\"pk-123\"\n");
    }

    @Test
    void tsvOfAnObjectAndOfAList() {
        assertThat(print(OutputFormat.TSV, null, KEYS)).isEqualTo("pk-123\tsk-456\n");
        assertThat(print(OutputFormat.TSV, "[].name", ENDPOINTS)).isEqualTo("first\nsecond-one\n");
        assertThat(print(OutputFormat.TSV, "[].{n: name, ok: properties.provisioningState == 'Succeeded', nested: properties}", ENDPOINTS))
                .isEqualTo("first\ttrue\nsecond-one\tfalse\n");
    }

    @Test
    void tableOfEndpointsShowsTheUsefulColumns() {
        assertThat(print(OutputFormat.TABLE, null, ENDPOINTS)).isEqualTo("""
                Name        Kind     AuthMode  ProvisioningState  Traffic            ScoringUri
                ----------  -------  --------  -----------------  -----------------  --------------------------------------------------
                first       Managed  Key       Succeeded          blue=90, green=10  https://127.0.0.1:47444/endpoints/first/score
                second-one  Managed  AMLToken  Creating                              https://127.0.0.1:47444/endpoints/second-one/score
                """);
    }

    @Test
    void tableOfPlainObjectsUsesTheirScalarFields() {
        assertThat(print(OutputFormat.TABLE, null, KEYS)).isEqualTo("""
                PrimaryKey  SecondaryKey
                ----------  ------------
                pk-123      sk-456
                """);
        assertThat(print(OutputFormat.TABLE, "[].name", ENDPOINTS)).isEqualTo("""
                Result
                ----------
                first
                second-one
                """);
        assertThat(print(OutputFormat.TABLE, "primaryKey", KEYS)).isEqualTo("pk-123\n");
        assertThat(print(OutputFormat.TABLE, null, "[]")).isEmpty();
    }

    @Test
    void queryFailuresAreUsageErrors() {
        assertThatThrownBy(() -> Output.validateQuery("[?"))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidQuery");
                    assertThat(e.exitCode()).isEqualTo(CliException.USAGE);
                });
    }

    @Test
    void progressPrintsStageLinesOnlyWhenTheStageChanges() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        long[] now = {0};
        try (Progress progress = new Progress(err, false, () -> now[0])) {
            progress.stage("Creating");
            progress.stage("Creating");
            progress.tick();
            progress.stage("Pulling model");
            progress.stage("");
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("Creating...\nPulling model...\n");
    }

    @Test
    void progressOnATerminalRewritesOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        long[] now = {0};
        try (Progress progress = new Progress(err, true, () -> now[0])) {
            progress.stage("Creating");
            now[0] = 3_000_000_000L;
            progress.tick();
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("\r| Creating (0s)\033[K\r/ Creating (3s)\033[K\r\033[K");
    }

    private static String print(OutputFormat format, String query, String json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), format, Optional.ofNullable(query)).print(parse(json));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
