package enclave.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTest {
    private static final RouteHandler NOTHING = call -> {};

    @Test
    void matchesLiteralsCaseInsensitivelyAndCapturesSegments() {
        Route route = Route.of("GET", "/subscriptions/{sub}/resourceGroups/{rg}", "read", NOTHING);
        assertThat(route.match("GET", "/subscriptions/s1/resourcegroups/My.Group")).hasValue(Map.of("sub", "s1", "rg", "My.Group"));
        assertThat(route.match("PUT", "/subscriptions/s1/resourcegroups/rg")).isEmpty();
        assertThat(route.match("GET", "/subscriptions/s1/resourcegroups/rg/extra")).isEmpty();
    }

    @Test
    void aStarParameterTakesAWholeScope() {
        Route route = Route.of("PUT", "{*scope}/providers/Microsoft.Authorization/roleAssignments/{name}", "write", NOTHING);
        assertThat(route.match("PUT", "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/providers/Microsoft.Authorization/roleAssignments/x"))
                .hasValue(Map.of("scope", "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a", "name", "x"));
    }

    @Test
    void theDefaultScopeIsThePathUpToItsLastParameter() {
        Route route = Route.of("POST", "/subscriptions/{sub}/things/{t}/listKeys", "x/action", NOTHING);
        Map<String, String> params = route.match("POST", "/subscriptions/s1/things/t1/listKeys").orElseThrow();
        assertThat(route.scope().apply(params)).isEqualTo("/subscriptions/s1/things/t1");
    }

    @Test
    void everyRouteDeclaresAnAction() {
        assertThatThrownBy(() -> Route.of("GET", "/x", " ", NOTHING)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Route.of("GET", "/x", null, NOTHING)).isInstanceOf(NullPointerException.class);
    }
}
