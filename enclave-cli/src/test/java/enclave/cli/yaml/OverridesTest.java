package enclave.cli.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OverridesTest {
    @Test
    void setsScalarsNestedFieldsAndTypedValues() {
        ObjectNode tree = tree("""
                {"name":"blue","auth_mode":"key","traffic":{"blue":100},"request_settings":{"max_queue_wait_ms":500}}""");

        Overrides.apply(tree, Overrides.parse(List.of(
                "auth_mode=aml_token",
                "description=a description with = sign",
                "traffic.blue=0",
                "traffic.green=100",
                "request_settings.request_timeout_ms=3000",
                "instance_count=2",
                "app_insights_enabled=true",
                "tags={\"a\":\"b\"}")));

        assertThat(tree).isEqualTo(tree("""
                {"name":"blue","auth_mode":"aml_token","traffic":{"blue":0,"green":100},
                 "request_settings":{"max_queue_wait_ms":500,"request_timeout_ms":3000},
                 "description":"a description with = sign","instance_count":2,"app_insights_enabled":true,"tags":{"a":"b"}}"""));
    }

    @Test
    void createsMissingParentsAndListElements() {
        ObjectNode tree = tree("{}");

        Overrides.apply(tree, Overrides.parse(List.of(
                "identity.type=user_assigned",
                "identity.user_assigned_identities[0].resource_id=/subscriptions/x",
                "identity.user_assigned_identities[1].resource_id=/subscriptions/y",
                "identity.user_assigned_identities[0].resource_id=/subscriptions/z")));

        assertThat(tree).isEqualTo(tree("""
                {"identity":{"type":"user_assigned","user_assigned_identities":[{"resource_id":"/subscriptions/z"},
                  {"resource_id":"/subscriptions/y"}]}}"""));
    }

    @Test
    void replacesAReferenceStringWithAMapping() {
        ObjectNode tree = tree("{\"model\":\"azureml:m:1\"}");
        Overrides.apply(tree, Overrides.parse(List.of("model.path=./model")));
        assertThat(tree).isEqualTo(tree("{\"model\":{\"path\":\"./model\"}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-equals", "=value", "a..b=1", "a[x]=1"})
    void malformedSetsAreUsageErrors(String set) {
        assertThatThrownBy(() -> Overrides.parse(List.of(set)))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(CliException.USAGE))
                .hasMessageContaining("--set '" + set + "'");
    }

    @Test
    void indexPastTheEndIsRefused() {
        ObjectNode tree = tree("{\"list\":[]}");
        assertThatThrownBy(() -> Overrides.apply(tree, Overrides.parse(List.of("list[2]=x"))))
                .hasMessageContaining("index 2 is past the end of a list of 0");
    }

    private static ObjectNode tree(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
