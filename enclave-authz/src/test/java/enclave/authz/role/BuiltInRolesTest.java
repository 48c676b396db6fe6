package enclave.authz.role;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.core.ResourceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuiltInRolesTest {
    @ParameterizedTest(name = "{1} is {0}")
    @CsvSource({
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635, Owner",
            "b24988ac-6180-42a0-ab88-20f7382dd24c, Contributor",
            "acdd72a7-3385-48ef-bd42-f606fba81ae7, Reader",
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, User Access Administrator",
            "f6c7c914-8db3-469d-8ca1-694a8f32e121, AzureML Data Scientist",
            "ea01e6af-a1c1-4350-9563-ad00f8c72ec5, Azure Machine Learning Workspace Connection Secrets Reader",
            "7f951dda-4ed3-4680-a7ca-43fe172d538d, AcrPull",
            "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1, Storage Blob Data Reader",
            "ba92f5b4-2d11-453d-a403-e96b0029c9fe, Storage Blob Data Contributor"})
    void carryAzuresGuids(String guid, String roleName) {
        RoleDefinition role = BuiltInRoles.byRoleName(roleName.toUpperCase(java.util.Locale.ROOT)).orElseThrow();

        assertThat(role.name()).isEqualTo(guid);
        assertThat(BuiltInRoles.byName(guid.toUpperCase(java.util.Locale.ROOT))).contains(role);
        assertThat(role.id()).isEqualTo("/providers/Microsoft.Authorization/roleDefinitions/" + guid);
        assertThat(role.idIn("s1")).isEqualTo("/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/" + guid);
        assertThat(role.type()).isEqualTo(RoleType.BuiltInRole);
        assertThat(role.assignableAt(ResourceId.parse("/subscriptions/any/resourceGroups/where"))).isTrue();
    }

    @Test
    void onlyTheStorageAndMonitoringDataRolesHoldDataActions() {
        assertThat(BuiltInRoles.all()).hasSize(10);
        assertThat(BuiltInRoles.all()).filteredOn(role -> role.permissions().stream().anyMatch(p -> !p.dataActions().isEmpty()))
                .extracting(RoleDefinition::roleName)
                .containsExactlyInAnyOrder("Storage Blob Data Reader", "Storage Blob Data Contributor", "Monitoring Data Reader");
    }
}
