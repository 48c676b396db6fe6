package enclave.cli.role;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The custom role JSON of {@code role definition create/update}: what is accepted, and every way it can be wrong. */
class RoleDefinitionInputTest {
    private static final String SUB = "/subscriptions/00000000-0000-0000-0000-00000000000a";
    private static final String SCORE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action";

    @TempDir
    Path temp;

    @Test
    void theFileAzUsersWrite() {
        RoleDefinitionInput role = RoleDefinitionInput.parse("""
                {
                  "Name": "Endpoint Scorer",
                  "IsCustom": true,
                  "Description": "Can score endpoints.",
                  "Actions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read"],
                  "NotActions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action"],
                  "DataActions": ["%s"],
                  "NotDataActions": [],
                  "AssignableScopes": ["%s/resourcegroups/rg1/", "%s"]
                }""".formatted(SCORE, SUB, SUB), "scorer.json", RoleDefinitionInput.Purpose.CREATE);

        assertThat(role.name()).isEqualTo("Endpoint Scorer");
        assertThat(role.description()).contains("Can score endpoints.");
        assertThat(role.assignableScopes()).as("canonical spelling").containsExactly(SUB + "/resourceGroups/rg1", SUB);
        assertThat(role.toArm(role.assignableScopes(), Optional.empty())).isEqualTo(json("""
                {"properties":{"roleName":"Endpoint Scorer","description":"Can score endpoints.","type":"CustomRole",
                 "permissions":[{"actions":["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read"],
                                 "notActions":["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action"],
                                 "dataActions":["%s"],"notDataActions":[]}],
                 "assignableScopes":["%s/resourceGroups/rg1","%s"]}}""".formatted(SCORE, SUB, SUB)));
    }

    @Test
    void fieldNamesMatchInAnyCaseAndIdNamesTheRole() {
        RoleDefinitionInput role = RoleDefinitionInput.parse("""
                {"name":"Reader Plus","id":"%s/providers/Microsoft.Authorization/roleDefinitions/0b0c0a55-5a1a-4b1e-9c3d-1f2e3d4c5b6a",
                 "actions":["*/read"],"assignableScopes":["%s"]}""".formatted(SUB, SUB), "f", RoleDefinitionInput.Purpose.CREATE);
        assertThat(role.name()).isEqualTo("Reader Plus");
        assertThat(role.guid()).contains("0b0c0a55-5a1a-4b1e-9c3d-1f2e3d4c5b6a");
        assertThat(role.toArm(role.assignableScopes(), Optional.of("kept")).at("/properties/description").asText()).isEqualTo("kept");
    }

    @Test
    void updateMayLeaveTheScopesToTheRole() {
        RoleDefinitionInput role = RoleDefinitionInput.parse("{\"Name\":\"x\",\"DataActions\":[\"" + SCORE + "\"]}", "f",
                RoleDefinitionInput.Purpose.UPDATE);
        assertThat(role.assignableScopes()).isEmpty();
        assertThat(role.actions()).isEmpty();
        assertThat(role.dataActions()).containsExactly(SCORE);
    }

    static Stream<Arguments> invalid() {
        String scopes = "\"AssignableScopes\":[\"" + SUB + "\"]";
        String actions = "\"Actions\":[\"*/read\"]";
        return Stream.of(
                Arguments.of("{\"Name\":", "not valid JSON (line 1): Unexpected end-of-input"),
                Arguments.of("{\"Name\":\"x\"} {}", "not valid JSON"),
                Arguments.of("[]", "a role definition is a JSON object with Name, Actions, AssignableScopes"),
                Arguments.of("\"Reader\"", "a role definition is a JSON object"),
                Arguments.of("{\"Name\":\"a\",\"Name\":\"b\"," + actions + "," + scopes + "}", "not valid JSON (line 1): Duplicate field 'Name'"),
                Arguments.of("{\"Name\":\"a\",\"name\":\"b\"," + actions + "," + scopes + "}", "field Name is given twice ('name')"),
                Arguments.of("{\"Name\":\"a\",\"Permissions\":[]," + actions + "," + scopes + "}",
                        "unknown field 'Permissions'; allowed: Name, Id, IsCustom, Description, Actions, NotActions, DataActions, NotDataActions, AssignableScopes"),
                Arguments.of("{" + actions + "," + scopes + "}", "Name is required (the role's name"),
                Arguments.of("{\"Name\":null," + actions + "," + scopes + "}", "Name is required"),
                Arguments.of("{\"Name\":\"  \"," + actions + "," + scopes + "}", "Name must not be empty"),
                Arguments.of("{\"Name\":42," + actions + "," + scopes + "}", "Name must be a string, not 42"),
                Arguments.of("{\"Name\":\"" + "n".repeat(513) + "\"," + actions + "," + scopes + "}", "Name is longer than 512 characters"),
                Arguments.of("{\"Name\":\"a\",\"Id\":\"reader\"," + actions + "," + scopes + "}", "Id 'reader' is neither a GUID nor a role definition id"),
                Arguments.of("{\"Name\":\"a\",\"Id\":7," + actions + "," + scopes + "}", "Id must be a string, not 7"),
                Arguments.of("{\"Name\":\"a\",\"IsCustom\":\"true\"," + actions + "," + scopes + "}", "IsCustom must be true or false, not \"true\""),
                Arguments.of("{\"Name\":\"a\",\"IsCustom\":false," + actions + "," + scopes + "}", "IsCustom is false, but only custom roles"),
                Arguments.of("{\"Name\":\"a\",\"Description\":[\"d\"]," + actions + "," + scopes + "}", "Description must be a string, not [\"d\"]"),
                Arguments.of("{\"Name\":\"a\",\"Actions\":\"*/read\"," + scopes + "}", "Actions must be a list of strings, not \"*/read\""),
                Arguments.of("{\"Name\":\"a\",\"Actions\":[\"*/read\",3]," + scopes + "}", "Actions[1] must be a non-empty string, not 3"),
                Arguments.of("{\"Name\":\"a\",\"Actions\":[\"\"]," + scopes + "}", "Actions[0] must be a non-empty string, not \"\""),
                Arguments.of("{\"Name\":\"a\",\"Actions\":[\"read everything\"]," + scopes + "}", "Actions[0] 'read everything' is not an operation"),
                Arguments.of("{\"Name\":\"a\",\"Actions\":[\"Microsoft.Compute/\"]," + scopes + "}", "Actions[0] 'Microsoft.Compute/' is not an operation"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"NotActions\":[\"/read\"]," + scopes + "}", "NotActions[0] '/read' is not an operation"),
                Arguments.of("{\"Name\":\"a\",\"DataActions\":[\"a b\"]," + scopes + "}", "DataActions[0] 'a b' is not an operation"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"NotDataActions\":{}," + scopes + "}", "NotDataActions must be a list of strings, not {}"),
                Arguments.of("{\"Name\":\"a\"," + scopes + "}", "the role grants nothing: give at least one of Actions or DataActions"),
                Arguments.of("{\"Name\":\"a\",\"Actions\":[],\"DataActions\":[],\"NotActions\":[\"*\"]," + scopes + "}", "the role grants nothing"),
                Arguments.of("{\"Name\":\"a\"," + actions + "}", "AssignableScopes is required: the scopes the role can be assigned at"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"AssignableScopes\":\"" + SUB + "\"}", "AssignableScopes must be a list of strings"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"AssignableScopes\":[]}", "AssignableScopes must name at least one scope"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"AssignableScopes\":[1]}", "AssignableScopes[0] must be a non-empty string, not 1"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"AssignableScopes\":[\"/\"]}", "AssignableScopes[0] '/' is the root scope that only built-in roles use"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"AssignableScopes\":[\"rg1\"]}", "AssignableScopes[0]: 'rg1' is not a resource id"),
                Arguments.of("{\"Name\":\"a\"," + actions + ",\"AssignableScopes\":[\"" + SUB + "/resourceGroups\"]}", "is not a resource id"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void everyMistakeIsReportedBeforeAnythingIsSent(String json, String message) {
        assertThatThrownBy(() -> RoleDefinitionInput.parse(json, "role.json", RoleDefinitionInput.Purpose.CREATE))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidRoleDefinition");
                    assertThat(e.exitCode()).isEqualTo(1);
                })
                .hasMessageStartingWith("role.json: ")
                .hasMessageContaining(message);
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        assertThatThrownBy(() -> RoleDefinitionInput.parse("{\"Nmae\":\"a\",\"Actions\":[\"x y\"]}", "role.json", RoleDefinitionInput.Purpose.CREATE))
                .hasMessage("role.json: unknown field 'Nmae'; allowed: Name, Id, IsCustom, Description, Actions, NotActions, DataActions, "
                        + "NotDataActions, AssignableScopes; Name is required (the role's name, e.g. \"Endpoint Scorer\"); Actions[0] 'x y' is not an "
                        + "operation; use names like Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read or */read; AssignableScopes is "
                        + "required: the scopes the role can be assigned at, e.g. [\"/subscriptions/{id}\"]");
    }

    @Test
    void theArgumentIsAFileAnAtFileOrTheJsonItself() throws IOException {
        String json = "{\"Name\":\"From File\",\"Actions\":[\"*/read\"],\"AssignableScopes\":[\"" + SUB + "\"]}";
        Files.writeString(temp.resolve("role.json"), json);

        assertThat(RoleDefinitionInput.read("role.json", temp, RoleDefinitionInput.Purpose.CREATE).name()).isEqualTo("From File");
        assertThat(RoleDefinitionInput.read("@role.json", temp, RoleDefinitionInput.Purpose.CREATE).name()).isEqualTo("From File");
        assertThat(RoleDefinitionInput.read("  " + json, temp, RoleDefinitionInput.Purpose.CREATE).name()).isEqualTo("From File");
        assertThatThrownBy(() -> RoleDefinitionInput.read("missing.json", temp, RoleDefinitionInput.Purpose.CREATE))
                .hasMessage("--role-definition: the file " + temp.resolve("missing.json") + " does not exist; pass a JSON file or the JSON itself");
        assertThatThrownBy(() -> RoleDefinitionInput.read("{\"Name\":\"x\"}", temp, RoleDefinitionInput.Purpose.CREATE))
                .hasMessageStartingWith("--role-definition: the role grants nothing");
    }

    @Test
    void scopesCompareBySegmentsNeverByPrefix() {
        assertThat(Scopes.atOrAbove(SUB + "/resourceGroups/rg", SUB + "/resourceGroups/RG/providers/A.B/c/d")).isTrue();
        assertThat(Scopes.atOrAbove(SUB + "/resourceGroups/rg", SUB + "/resourceGroups/rg2")).isFalse();
        assertThat(Scopes.atOrAbove("/", SUB)).isTrue();
        assertThat(Scopes.same(SUB + "/resourcegroups/rg1/", SUB + "/resourceGroups/RG1")).isTrue();
        assertThat(List.of(SUB + "/resourceGroups/rg2", SUB)).filteredOn(scope -> Scopes.atOrAbove(scope, SUB + "/resourceGroups/rg"))
                .containsExactly(SUB);
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
