package enclave.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ListFilterTest {
    @Test
    void readsEqualsClausesAndCallsJoinedByAnd() {
        ListFilter filter = ListFilter.parse(Optional.of("roleName eq 'Storage Blob Data Reader' AND atScopeAndBelow() and assignedTo('abc')"));

        assertThat(filter.equalTo("rolename")).contains("Storage Blob Data Reader");
        assertThat(filter.call("atScopeAndBelow")).hasValueSatisfying(call -> assertThat(call.argument()).isEmpty());
        assertThat(filter.call("assignedTo")).hasValueSatisfying(call -> assertThat(call.argument()).contains("abc"));
        assertThat(filter.equalTo("principalId")).isEmpty();
    }

    @Test
    void aQuoteInsideAValueIsWrittenTwice() {
        assertThat(ListFilter.parse(Optional.of("roleName eq 'Bob''s role'")).equalTo("roleName")).contains("Bob's role");
    }

    @Test
    void noFilterIsNoClauses() {
        assertThat(ListFilter.parse(Optional.empty()).clauses()).isEmpty();
        assertThat(ListFilter.parse(Optional.of("  ")).clauses()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"roleName eq Reader", "roleName eq 'Reader", "roleName ne 'Reader'", "roleName 'Reader'", "roleName eq 'a' or type eq 'b'",
            "atScope(", "eq 'x'", "roleName eq 'a' and", "roleName eq 'a' 'b'", "principalId eq \"x\""})
    void malformedFiltersAreBadRequests(String filter) {
        assertThatThrownBy(() -> ListFilter.parse(Optional.of(filter)))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("is malformed");
    }
}
