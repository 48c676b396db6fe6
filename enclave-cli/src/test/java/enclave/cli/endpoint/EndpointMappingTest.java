package enclave.cli.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.testing.Examples;
import enclave.cli.yaml.Overrides;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointMappingTest {
    private static final String UAI = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1"
            + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/my-uai";

    @TempDir
    Path temp;

    @Test
    void sampleEndpointIsKeyAuthAndLeavesTheIdentityToThePlatform() {
        assertThat(arm("managed/sample/endpoint.yml")).isEqualTo(json("""
                {"location":"local","tags":{},"kind":"Managed",
                 "properties":{"authMode":"Key","publicNetworkAccess":"Enabled"}}"""));
    }

    @Test
    void systemAssignedIdentityExample() {
        assertThat(arm("managed/managed-identities/1-sai-create-endpoint.yml")).isEqualTo(json("""
                {"location":"local","tags":{},"kind":"Managed",
                 "properties":{"authMode":"Key","publicNetworkAccess":"Enabled"}}"""));
    }

    @Test
    void userAssignedIdentityExampleOnceThePlaceholderIsReplaced() throws IOException {
        Path example = Examples.reference().resolve("managed/managed-identities/1-uai-create-endpoint.yml");
        Path file = Files.writeString(temp.resolve("uai.yml"), Files.readString(example).replace("user_identity_ARM_id_place_holder", UAI));

        JsonNode body = EndpointMapping.toArm(OnlineEndpointCommands.definition(Optional.of(file), null, null, List.of()), "local");

        assertThat(body).isEqualTo(json("""
                {"location":"local","tags":{},"kind":"Managed",
                 "identity":{"type":"UserAssigned","userAssignedIdentities":{"%s":{}}},
                 "properties":{"authMode":"Key","publicNetworkAccess":"Enabled"}}""".formatted(UAI)));
    }

    @Test
    void userAssignedIdentityExampleAsShippedNamesThePlaceholder() {
        assertThatThrownBy(() -> arm("managed/managed-identities/1-uai-create-endpoint.yml"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("identity.user_assigned_identities[0].resource_id")
                .hasMessageContaining("user_identity_ARM_id_place_holder");
    }

    @Test
    void vnetEndpointsDisablePublicNetworkAccess() {
        String expected = """
                {"location":"local","tags":{},"kind":"Managed",
                 "properties":{"authMode":"Key","publicNetworkAccess":"Disabled"}}""";
        assertThat(arm("managed/vnet/sample/endpoint.yml")).isEqualTo(json(expected));
        assertThat(arm("managed/vnet/mlflow/endpoint.yml")).isEqualTo(json(expected));
    }

    @Test
    void tritonEndpointUsesAmlTokens() {
        assertThat(arm("triton/single-model/create-managed-endpoint.yaml").at("/properties/authMode").asText()).isEqualTo("AMLToken");
    }

    @Test
    void everyFieldMapsToArm() throws IOException {
        Path file = Files.writeString(temp.resolve("endpoint.yml"), """
                $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
                name: full-endpoint
                description: all fields
                tags: {team: ml, tier: 1}
                auth_mode: AAD_Token
                identity:
                  type: none
                public_network_access: Disabled
                traffic: {blue: 90, green: 10}
                mirror_traffic: {shadow: 20}
                kind: managed
                """);
        assertThat(EndpointMapping.toArm(OnlineEndpointCommands.definition(Optional.of(file), null, null, List.of()), "westeurope"))
                .isEqualTo(json("""
                        {"location":"westeurope","tags":{"team":"ml","tier":"1"},"kind":"Managed","identity":{"type":"None"},
                         "properties":{"authMode":"AADToken","description":"all fields","publicNetworkAccess":"Disabled",
                           "traffic":{"blue":90,"green":10},"mirrorTraffic":{"shadow":20}}}"""));
    }

    @Test
    void nameAndAuthModeFlagsOverrideTheFileAndSetOverridesBoth() {
        Path file = Examples.reference().resolve("managed/sample/endpoint.yml");
        Endpoint endpoint = OnlineEndpointCommands.definition(Optional.of(file), "other-endpoint", "aml_token",
                Overrides.parse(List.of("description=from set", "tags.owner=me")));
        assertThat(endpoint.name()).isEqualTo("other-endpoint");
        assertThat(endpoint.authMode()).isEqualTo("AMLToken");
        assertThat(endpoint.description()).contains("from set");
        assertThat(endpoint.tags()).containsEntry("owner", "me");

        Endpoint viaSet = OnlineEndpointCommands.definition(Optional.of(file), null, null, Overrides.parse(List.of("auth_mode=aad_token")));
        assertThat(viaSet.authMode()).isEqualTo("AADToken");
    }

    @Test
    void aNameAloneIsEnough() {
        Endpoint endpoint = OnlineEndpointCommands.definition(Optional.empty(), "just-a-name", null, List.of());
        assertThat(EndpointMapping.toArm(endpoint, "local").at("/properties/authMode").asText()).isEqualTo("Key");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ab|endpoint name 'ab' is invalid",
        "1endpoint|endpoint name '1endpoint' is invalid",
        "has_underscore|endpoint name 'has_underscore' is invalid",
        "ends-with-hyphen-|endpoint name 'ends-with-hyphen-' is invalid",
        "a-name-that-is-far-too-long-for-azure|is invalid: use 3-32 characters",
    })
    void invalidNamesAreRejected(String name, String message) {
        assertThatThrownBy(() -> OnlineEndpointCommands.definition(Optional.empty(), name, null, List.of()))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("InvalidResourceName"))
                .hasMessageContaining(message);
    }

    @Test
    void missingNameSaysWhereToPutIt() throws IOException {
        Path file = Files.writeString(temp.resolve("e.yml"), "auth_mode: key\n");
        assertThatThrownBy(() -> OnlineEndpointCommands.definition(Optional.of(file), null, null, List.of()))
                .hasMessage("endpoint name is required: set name in the file or pass -n NAME");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "auth_mode: password|auth_mode 'password' is not valid; use one of aad_token, aml_token, key",
        "public_network_access: maybe|public_network_access 'maybe' is not valid; use one of disabled, enabled",
        "identity: {type: magic}|identity.type 'magic' is not valid",
        "identity: {type: user_assigned}|identity.type user_assigned needs identity.user_assigned_identities",
        "traffic: {blue: 90}|traffic weights must add up to 100 (or all be 0)",
        "traffic: {blue: 101}|traffic.blue must be a whole number from 0 to 100, not 101",
        "mirror_traffic: {green: 60}|mirror_traffic.green must be a whole number from 0 to 50, not 60",
        "mirror_traffic: {green: 10, red: 10}|mirror_traffic can mirror to one deployment only",
        "kind: kubernetes|kind 'kubernetes' is not valid",
    })
    void invalidValuesAreRejectedBeforeAnythingIsSent(String line, String message) throws IOException {
        Path file = Files.writeString(temp.resolve("e.yml"), "name: my-endpoint\n" + line + "\n");
        assertThatThrownBy(() -> OnlineEndpointCommands.definition(Optional.of(file), null, null, List.of()))
                .isInstanceOf(CliException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aDeploymentCannotTakeLiveAndMirroredTraffic() throws IOException {
        Path file = Files.writeString(temp.resolve("e.yml"), "name: my-endpoint\ntraffic: {blue: 100}\nmirror_traffic: {blue: 10}\n");
        assertThatThrownBy(() -> OnlineEndpointCommands.definition(Optional.of(file), null, null, List.of()))
                .hasMessageContaining("deployment 'blue' cannot take both live and mirrored traffic");
    }

    @Test
    void serverResourceRoundTripsThroughYamlNames() {
        JsonNode fromServer = json("""
                {"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/my-endpoint",
                 "name":"my-endpoint","type":"Microsoft.MachineLearningServices/workspaces/onlineEndpoints","location":"local",
                 "tags":{"a":"b"},"kind":"Managed",
                 "identity":{"type":"UserAssigned","userAssignedIdentities":{"%s":{"principalId":"p","clientId":"c"}}},
                 "properties":{"authMode":"AMLToken","description":"d","traffic":{"blue":100},"mirrorTraffic":{"green":10},
                   "publicNetworkAccess":"Disabled","scoringUri":"https://127.0.0.1:47444/endpoints/my-endpoint/score",
                   "provisioningState":"Succeeded"}}""".formatted(UAI));

        ObjectNode yaml = EndpointMapping.toYaml(fromServer);

        assertThat(yaml).isEqualTo(json("""
                {"name":"my-endpoint","description":"d","tags":{"a":"b"},"auth_mode":"aml_token",
                 "identity":{"type":"user_assigned","user_assigned_identities":[{"resource_id":"%s","principal_id":"p","client_id":"c"}]},
                 "public_network_access":"disabled","traffic":{"blue":100},"mirror_traffic":{"green":10},"kind":"managed"}"""
                .formatted(UAI)));
        Overrides.apply(yaml, Overrides.parse(List.of("traffic.blue=0", "traffic.green=100", "mirror_traffic={}")));
        Endpoint updated = EndpointMapping.validate(enclave.cli.yaml.YamlDocuments.convert(yaml, EndpointYaml.class, "test", "endpoint"));
        assertThat(EndpointMapping.toArm(updated, "local")).isEqualTo(json("""
                {"location":"local","tags":{"a":"b"},"kind":"Managed",
                 "identity":{"type":"UserAssigned","userAssignedIdentities":{"%s":{}}},
                 "properties":{"authMode":"AMLToken","description":"d","publicNetworkAccess":"Disabled",
                   "traffic":{"blue":0,"green":100},"mirrorTraffic":{}}}""".formatted(UAI)));
    }

    private static JsonNode arm(String example) {
        Path file = Examples.reference().resolve(example);
        return EndpointMapping.toArm(OnlineEndpointCommands.definition(Optional.of(file), null, null, List.of()), "local");
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
