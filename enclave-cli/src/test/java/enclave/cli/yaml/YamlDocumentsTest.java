package enclave.cli.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.cli.console.CliException;
import enclave.cli.deployment.DeploymentYaml;
import enclave.cli.endpoint.EndpointYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlDocumentsTest {
    @TempDir
    Path temp;

    @Test
    void schemaIsAcceptedAndIgnored() throws IOException {
        EndpointYaml endpoint = YamlDocuments.read(file("""
                $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
                name: my-endpoint
                """), EndpointYaml.class, "endpoint");
        assertThat(endpoint.name()).isEqualTo("my-endpoint");
    }

    @Test
    void unknownTopLevelFieldNamesTheLineAndTheAllowedFields() throws IOException {
        Path file = file("""
                name: my-endpoint
                auth_mode: key
                authmode: key
                """);
        assertThatThrownBy(() -> YamlDocuments.read(file, EndpointYaml.class, "endpoint"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("UnknownField"))
                .hasMessage(file + ": line 3: unknown field 'authmode' in endpoint; allowed: $schema, auth_mode, description, identity, "
                        + "kind, mirror_traffic, name, public_network_access, tags, traffic");
    }

    @Test
    void unknownNestedFieldNamesItsSection() throws IOException {
        Path file = file("""
                name: blue
                request_settings:
                  request_timeout_ms: 3000
                  request_timeout: 3
                """);
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .hasMessage(file + ": line 4: unknown field 'request_timeout' in request_settings; allowed: "
                        + "max_concurrent_requests_per_instance, max_queue_wait_ms, request_timeout_ms");
    }

    @Test
    void unknownFieldInsideAModelMapping() throws IOException {
        Path file = file("""
                name: blue
                model:
                  path: model/
                  format: pickle
                """);
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .hasMessage(file + ": line 4: unknown field 'format' in model; allowed: description, name, path, tags, type, version");
    }

    @Test
    void unknownFieldInAListElement() throws IOException {
        Path file = file("""
                name: my-endpoint
                identity:
                  type: user_assigned
                  user_assigned_identities:
                    - resource_id: /subscriptions/x
                      id: y
                """);
        assertThatThrownBy(() -> YamlDocuments.read(file, EndpointYaml.class, "endpoint"))
                .hasMessageStartingWith(file + ": line 6: unknown field 'id' in identity.user_assigned_identities[0]; allowed: client_id,");
    }

    @Test
    void wrongTypeSaysWhatWasExpected() throws IOException {
        Path file = file("""
                name: blue
                instance_type: Standard_DS3_v2
                instance_count: many
                """);
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("InvalidYaml"))
                .hasMessage(file + ": line 3: instance_count: expected a whole number, got 'many'");
    }

    @Test
    void fractionsAreNotWholeNumbers() throws IOException {
        Path file = file("name: blue\nrequest_settings:\n  request_timeout_ms: 1.5\n");
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .hasMessageStartingWith(file + ": line 3: request_settings.request_timeout_ms: expected a whole number");
    }

    @Test
    void aListWhereAMappingBelongs() throws IOException {
        Path file = file("name: blue\nrequest_settings:\n  - 1\n");
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .hasMessageStartingWith(file + ": line 2: request_settings: expected a mapping");
    }

    @Test
    void modelMustBeAMappingOrAReference() throws IOException {
        Path file = file("name: blue\nmodel: [a, b]\n");
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .hasMessage(file + ": line 2: model: expected a mapping (path, name, version, type) or a reference like azureml:my-model:1");
    }

    @Test
    void malformedYamlNamesTheLine() throws IOException {
        Path file = file("name: blue\nmodel:\n  path: [unclosed\n");
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.code()).isEqualTo("InvalidYaml"))
                .hasMessageStartingWith(file + ": line ");
    }

    @Test
    void duplicateKeysAreRefused() throws IOException {
        Path file = file("name: blue\nname: green\n");
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .hasMessageContaining("line 2").hasMessageContaining("Duplicate field 'name'");
    }

    @Test
    void aFileThatIsNotAMapping() throws IOException {
        Path file = file("- name: blue\n");
        assertThatThrownBy(() -> YamlDocuments.read(file, DeploymentYaml.class, "deployment"))
                .hasMessage(file + ": line 1: the deployment must be a mapping of fields");
    }

    @Test
    void emptyAndMissingFiles() throws IOException {
        Path empty = file("\n");
        assertThatThrownBy(() -> YamlDocuments.read(empty, EndpointYaml.class, "endpoint"))
                .hasMessage(empty + ": the file is empty; expected the fields of the endpoint");
        Path missing = temp.resolve("nope.yml");
        assertThatThrownBy(() -> YamlDocuments.read(missing, EndpointYaml.class, "endpoint"))
                .hasMessage("the file " + missing + " does not exist");
    }

    private Path file(String text) throws IOException {
        return Files.writeString(temp.resolve("file.yml"), text);
    }
}
