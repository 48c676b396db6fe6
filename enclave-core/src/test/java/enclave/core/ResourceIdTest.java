package enclave.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ResourceIdTest {
    private static final String ENDPOINT = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/ep";

    @Test
    void parsesAndPrintsTheSameId() {
        ResourceId id = ResourceId.parse(ENDPOINT);
        assertThat(id.toString()).isEqualTo(ENDPOINT);
        assertThat(id.name()).isEqualTo("ep");
        assertThat(id.type()).isEqualTo("Microsoft.MachineLearningServices/workspaces/onlineEndpoints");
        assertThat(id.parent().orElseThrow().name()).isEqualTo("ws");
    }

    @Test
    void comparesCaseInsensitivelyThroughItsKey() {
        assertThat(ResourceId.parse(ENDPOINT.toUpperCase().replace("SUBSCRIPTIONS", "subscriptions")).key()).isEqualTo(ResourceId.parse(ENDPOINT).key());
    }

    @Test
    void scopesGoUpBySegmentsToTheSubscription() {
        assertThat(ResourceId.parse(ENDPOINT).scopes()).extracting(ResourceId::toString).containsExactly(
                ENDPOINT,
                "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws",
                "/subscriptions/s1/resourceGroups/rg",
                "/subscriptions/s1");
    }

    @Test
    void ancestryIsBySegmentsNotByStringPrefix() {
        ResourceId inRg2 = ResourceId.parse("/subscriptions/s1/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/a");
        assertThat(inRg2.isWithin(ResourceId.parse("/subscriptions/s1/resourceGroups/rg"))).isFalse();
        assertThat(inRg2.isWithin(ResourceId.parse("/subscriptions/s1/resourceGroups/rg2"))).isTrue();
        assertThat(inRg2.isWithin(ResourceId.parse("/subscriptions/s1"))).isTrue();
    }

    @Test
    void subscriptionLevelProviderResourcesParse() {
        ResourceId id = ResourceId.parse("/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/abc");
        assertThat(id.resourceGroup()).isEmpty();
        assertThat(id.type()).isEqualTo("Microsoft.Authorization/roleDefinitions");
        assertThat(id.parent().orElseThrow().toString()).isEqualTo("/subscriptions/s1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "subscriptions/s1", "/subscriptions", "/subscriptions/s1/resourceGroups", "/subscriptions/s1/foo/bar",
            "/subscriptions/s1/resourceGroups/rg/providers/Ns", "/subscriptions/s1/resourceGroups/rg/providers/Ns/type",
            "/subscriptions/s1/resourceGroups/rg/providers/Ns/type/name/child"})
    void refusesWhatIsNotAnId(String text) {
        assertThatThrownBy(() -> ResourceId.parse(text)).isInstanceOf(EnclaveException.class)
                .satisfies(e -> assertThat(((EnclaveException) e).code()).isEqualTo(ErrorCode.InvalidResourceId));
    }
}
