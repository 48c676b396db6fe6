package enclave.authz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActionPatternTest {
    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            // exact and case-insensitive
            "Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleAssignments/write, true",
            "Microsoft.Authorization/roleAssignments/write, microsoft.authorization/ROLEASSIGNMENTS/Write, true",
            "Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleAssignments/read, false",
            "Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleAssignments/write/extra, false",
            "Microsoft.Authorization/roleAssignments/write, Microsoft.Authorization/roleAssignments/writ, false",
            // '*' alone matches everything
            "*, Microsoft.MachineLearningServices/workspaces/write, true",
            "*, x, true",
            // '*/read': any read, at any depth, nothing else
            "*/read, Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read, true",
            "*/read, Microsoft.Storage/storageAccounts/read, true",
            "*/read, Microsoft.Storage/storageAccounts/write, false",
            "*/read, Microsoft.Storage/storageAccounts/readers/action, false",
            // '*' spans several segments, slashes included
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/action, Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action, true",
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/action, Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/getLogs/action, true",
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/action, Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write, false",
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/action, Microsoft.MachineLearningServices/workspaces/listKeys/action, false",
            "Microsoft.MachineLearningServices/workspaces/*/action, Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action, true",
            "Microsoft.MachineLearningServices/workspaces/*/action, Microsoft.MachineLearningServices/workspaces/listKeys/action, true",
            // '/*/' needs something between the slashes: workspaces/*/write is not workspaces/write
            "Microsoft.MachineLearningServices/workspaces/*/write, Microsoft.MachineLearningServices/workspaces/write, false",
            "Microsoft.MachineLearningServices/workspaces/*/write, Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write, true",
            // Contributor's NotActions: Microsoft.Authorization/*/Write against the role assignment and definition writes
            "Microsoft.Authorization/*/Write, Microsoft.Authorization/roleAssignments/write, true",
            "Microsoft.Authorization/*/Write, Microsoft.Authorization/roleDefinitions/write, true",
            "Microsoft.Authorization/*/Write, Microsoft.Authorization/roleAssignments/read, false",
            "Microsoft.Authorization/*/Write, Microsoft.AuthorizationX/roleAssignments/write, false",
            "Microsoft.Authorization/*/Delete, Microsoft.Authorization/roleAssignments/delete, true",
            // a trailing '*' takes everything under a prefix, but only that prefix
            "Microsoft.Authorization/*, Microsoft.Authorization/roleAssignments/write, true",
            "Microsoft.Authorization/*, Microsoft.AuthorizationX/roleAssignments/write, false",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*, Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read, true",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*, Microsoft.Storage/storageAccounts/blobServices/containers/read, false",
            // several wildcards, and backtracking over a false start
            "Microsoft.*/*/read, Microsoft.Storage/storageAccounts/read, true",
            "*/blobs/*/action, Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action, true",
            "*/blobs/*/action, Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read, false",
            "*a*b, aXbYaZb, true",
            "*a*b, aXbYaZc, false",
            // patterns are not regular expressions
            "Microsoft.Storage/.*, Microsoft.Storage/storageAccounts/read, false",
            "Microsoft.Storage/storageAccounts/read, Microsoft_Storage/storageAccounts/read, false",
    })
    void matches(String pattern, String action, boolean expected) {
        assertThat(ActionPattern.matches(pattern, action)).isEqualTo(expected);
    }
}
