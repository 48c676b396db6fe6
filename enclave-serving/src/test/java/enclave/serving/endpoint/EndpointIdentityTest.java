package enclave.serving.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import enclave.core.Json;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EndpointIdentityTest {
    private static final String UAI_A = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/a";
    private static final String UAI_B = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/b";

    private static final EndpointIdentity SYSTEM = new EndpointIdentity("SystemAssigned", "t", Optional.of("sys-oid"), Optional.of("sys-app"), List.of());
    private static final EndpointIdentity USER = new EndpointIdentity("UserAssigned", "t", Optional.empty(), Optional.empty(),
            List.of(new EndpointIdentity.Assigned(UAI_A, "a-oid", "a-app"), new EndpointIdentity.Assigned(UAI_B, "b-oid", "b-app")));

    @Test
    void theSystemAssignedIdentityActsElseTheFirstUserAssignedOne() {
        assertThat(SYSTEM.primary().orElseThrow().principalId()).isEqualTo("sys-oid");
        assertThat(USER.primary().orElseThrow().principalId()).isEqualTo("a-oid");
        assertThat(EndpointIdentity.none("t").primary()).isEmpty();
        assertThat(USER.all()).extracting(EndpointIdentity.Acting::clientId).containsExactly("a-app", "b-app");
        assertThat(SYSTEM.all()).extracting(EndpointIdentity.Acting::clientId).containsExactly("sys-app");
    }

    @Test
    void anEndpointStoredBeforeManagedIdentitiesReadsAsLegacyAndAnExplicitNoneDoesNot() throws Exception {
        OnlineEndpoint stored = Json.MAPPER.readValue("""
                {"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/old",
                 "name":"old","location":"local","authMode":"Key","identityType":"None","provisioningState":"Succeeded"}""", OnlineEndpoint.class);
        assertThat(stored.identity().isLegacy()).isTrue();
        assertThat(stored.identityType()).isEqualTo("None");
        assertThat(EndpointIdentity.none("t").isLegacy()).isFalse();
        assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(stored.withIdentity(SYSTEM)), OnlineEndpoint.class).identity()).isEqualTo(SYSTEM);
    }

    @Test
    void theSameIdentityMayBeSentAgainInAnySpellingButNotChanged() {
        assertThatCode(() -> EndpointIdentities.requireUnchanged("e", SYSTEM, new EndpointIdentities.Request("system_assigned", List.of())))
                .doesNotThrowAnyException();
        assertThatCode(() -> EndpointIdentities.requireUnchanged("e", USER, new EndpointIdentities.Request("UserAssigned",
                List.of(UAI_B.toUpperCase(), UAI_A)))).doesNotThrowAnyException();

        assertThatThrownBy(() -> EndpointIdentities.requireUnchanged("e", SYSTEM, new EndpointIdentities.Request("None", List.of())))
                .isInstanceOf(EnclaveException.class).hasMessageContaining("is SystemAssigned and cannot change after creation");
        assertThatThrownBy(() -> EndpointIdentities.requireUnchanged("e", USER, new EndpointIdentities.Request("UserAssigned", List.of(UAI_A))))
                .isInstanceOf(EnclaveException.class).hasMessageContaining("cannot change after creation");
        assertThatThrownBy(() -> EndpointIdentities.requireUnchanged("e", USER, new EndpointIdentities.Request("SystemAssigned", List.of())))
                .isInstanceOf(EnclaveException.class).hasMessageContaining("create a new endpoint with identity SystemAssigned");
    }
}
