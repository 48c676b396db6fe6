package enclave.authz.assignment;

import static enclave.authz.RbacFixture.EP;
import static enclave.authz.RbacFixture.RG;
import static enclave.authz.RbacFixture.RG2;
import static enclave.authz.RbacFixture.SUB;
import static enclave.authz.RbacFixture.WS;
import static enclave.authz.RbacFixture.WS_RG2;
import static enclave.authz.RbacFixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.authz.RbacFixture;
import enclave.authz.role.BuiltInRoles;
import enclave.authz.role.CustomRole;
import enclave.authz.role.Permission;
import enclave.core.EnclaveException;
import enclave.core.ResourceId;
import enclave.identity.PrincipalKind;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Role assignments over a real H2 database in a temp dir. */
class RoleAssignmentsTest {
    private static final String READER_ID = "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/" + BuiltInRoles.READER;

    @TempDir
    Path temp;

    private RbacFixture rbac;
    private String alice;
    private String bob;

    @BeforeEach
    void open() {
        rbac = new RbacFixture(temp);
        alice = rbac.directory.add("alice", PrincipalKind.USER).objectId();
        bob = rbac.directory.add("bob", PrincipalKind.MANAGED_IDENTITY).objectId();
    }

    @AfterEach
    void close() {
        rbac.close();
    }

    private RoleAssignments.Saved create(ResourceId scope, String name, String roleDefinitionId, String principal) {
        return rbac.assignments.create(scope, name, roleDefinitionId, principal, Optional.empty(), id("admin"));
    }

    @Test
    void createsAndKeepsAssignments() {
        String name = UUID.randomUUID().toString();

        RoleAssignments.Saved saved = rbac.assignments.create(WS, name.toUpperCase(java.util.Locale.ROOT), BuiltInRoles.READER, alice.toUpperCase(java.util.Locale.ROOT),
                Optional.of("ServicePrincipal"), id("admin"));

        RoleAssignment assignment = saved.assignment();
        assertThat(saved.created()).isTrue();
        assertThat(assignment.id()).isEqualTo(WS + "/providers/Microsoft.Authorization/roleAssignments/" + name);
        assertThat(assignment.name()).isEqualTo(name);
        assertThat(assignment.roleDefinitionId()).isEqualTo(READER_ID);
        assertThat(assignment.principalId()).isEqualTo(alice);
        assertThat(assignment.principalType()).as("the directory's type, not the caller's claim").isEqualTo("User");
        assertThat(assignment.createdBy()).isEqualTo(id("admin"));
        assertThat(assignment.createdOn()).isAfter(Instant.parse("2026-01-01T00:00:00Z"));

        RoleAssignments reopened = new RoleAssignments(new RoleAssignmentTable(rbac.database.dataSource()), rbac.roles, rbac.directory::byObjectId,
                new RbacFixture.TickingClock());
        assertThat(reopened.get(WS, name)).contains(assignment);
        assertThat(reopened.byId(assignment.id().toLowerCase(java.util.Locale.ROOT))).contains(assignment);
        assertThat(reopened.ofPrincipal(alice)).containsExactly(assignment);
    }

    @Test
    void managedIdentitiesAreServicePrincipalsInAssignments() {
        RoleAssignment assignment = create(WS, UUID.randomUUID().toString(), BuiltInRoles.READER, bob).assignment();

        assertThat(assignment.principalType()).isEqualTo("ServicePrincipal");
    }

    @Test
    void theSamePutTwiceAnswersWithTheExistingAssignment() {
        String name = UUID.randomUUID().toString();
        RoleAssignment first = create(WS, name, READER_ID, alice).assignment();

        RoleAssignments.Saved again = create(WS, name, BuiltInRoles.READER, alice);

        assertThat(again.created()).isFalse();
        assertThat(again.assignment()).isEqualTo(first);
        assertThat(rbac.assignments.all()).hasSize(1);
    }

    @Test
    void duplicatesAndReusedNamesAreConflicts() {
        String name = UUID.randomUUID().toString();
        RoleAssignment first = create(WS, name, READER_ID, alice).assignment();

        assertThatThrownBy(() -> create(WS, UUID.randomUUID().toString(), READER_ID, alice))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessage("principal '" + alice + "' already has role 'Reader' at " + WS + " through role assignment " + first.id());
        assertThatThrownBy(() -> create(WS, name, BuiltInRoles.CONTRIBUTOR, alice))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("role assignments cannot be changed: delete it and create a new one");
        assertThatThrownBy(() -> create(RG, name, READER_ID, bob))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("the role assignment name " + name + " is already used by " + first.id());
        assertThat(create(RG, UUID.randomUUID().toString(), READER_ID, alice).created()).as("the same role at another scope is another grant").isTrue();
    }

    static Stream<Arguments> invalidAssignments() {
        String good = UUID.randomUUID().toString();
        String alice = id("alice");
        return Stream.of(
                Arguments.of("not-a-guid", BuiltInRoles.READER, alice, null, 400, "role assignment name 'not-a-guid' is not a GUID"),
                Arguments.of(good, null, alice, null, 400, "needs properties.roleDefinitionId"),
                Arguments.of(good, "Reader", alice, null, 400, "roleDefinitionId 'Reader' is not a role definition id"),
                Arguments.of(good, "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/" + UUID.randomUUID(), alice, null, 400,
                        "does not exist; list the roles"),
                Arguments.of(good, BuiltInRoles.READER, null, null, 400, "needs properties.principalId"),
                Arguments.of(good, BuiltInRoles.READER, id("nobody"), null, 400, "principal '" + id("nobody") + "' does not exist in the directory"),
                Arguments.of(good, BuiltInRoles.READER, alice, "Robot", 400, "principalType 'Robot' is not one of"));
    }

    @ParameterizedTest
    @MethodSource("invalidAssignments")
    void refusesAssignmentsThatCannotWork(String name, String roleDefinitionId, String principal, String principalType, int status, String message) {
        assertThatThrownBy(() -> rbac.assignments.create(WS, name, roleDefinitionId, principal, Optional.ofNullable(principalType), "admin"))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(status))
                .hasMessageContaining(message);
        assertThat(rbac.assignments.all()).isEmpty();
    }

    @Test
    void customRolesAreAssignableOnlyWithinTheirAssignableScopes() {
        String role = UUID.randomUUID().toString();
        rbac.roles.createOrUpdate("s1", role, new CustomRole("Workspace scorer", "", List.of(Permission.of(List.of("*/read"), List.of())),
                List.of(WS.toString())));

        assertThat(create(EP, UUID.randomUUID().toString(), role, alice).created()).isTrue();
        assertThat(create(WS, UUID.randomUUID().toString(), role, alice).created()).isTrue();
        for (ResourceId outside : List.of(RG, SUB, WS_RG2)) {
            assertThatThrownBy(() -> create(outside, UUID.randomUUID().toString(), role, alice))
                    .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(400))
                    .hasMessage("role 'Workspace scorer' cannot be assigned at " + outside + ": its assignableScopes are [" + WS
                            + "]; assign it at or below one of them");
        }
    }

    @Test
    void aCustomRoleCannotBeDeletedWhileAssigned() {
        String role = UUID.randomUUID().toString();
        rbac.roles.createOrUpdate("s1", role, new CustomRole("Temp", "", List.of(Permission.of(List.of("*/read"), List.of())), List.of(RG.toString())));
        RoleAssignment assignment = create(WS, UUID.randomUUID().toString(), role, alice).assignment();

        assertThatThrownBy(() -> rbac.roles.delete(role))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("role 'Temp' is still used by 1 role assignment (" + assignment.id() + ")");

        assertThat(rbac.assignments.delete(WS, assignment.name(), "admin")).contains(assignment);
        assertThat(rbac.roles.delete(role)).isPresent();
    }

    @Test
    void listsByScopeBySegmentsAndByPrincipal() {
        RoleAssignment atSub = create(SUB, UUID.randomUUID().toString(), READER_ID, alice).assignment();
        RoleAssignment atRg = create(RG, UUID.randomUUID().toString(), READER_ID, bob).assignment();
        RoleAssignment atWs = create(WS, UUID.randomUUID().toString(), BuiltInRoles.CONTRIBUTOR, alice).assignment();
        RoleAssignment atRg2 = create(RG2, UUID.randomUUID().toString(), READER_ID, alice).assignment();
        RoleAssignment atWsInRg2 = create(WS_RG2, UUID.randomUUID().toString(), READER_ID, bob).assignment();

        assertThat(rbac.assignments.atScope(WS)).containsExactly(atSub, atRg, atWs);
        assertThat(rbac.assignments.atScope(RG)).containsExactly(atSub, atRg);
        assertThat(rbac.assignments.below(RG)).containsExactly(atWs);
        assertThat(rbac.assignments.below(RG2)).containsExactly(atWsInRg2);
        assertThat(rbac.assignments.below(SUB)).containsExactly(atRg, atWs, atRg2, atWsInRg2);
        assertThat(rbac.assignments.atScope(ResourceId.resourceGroup("s1", "r"))).containsExactly(atSub);
        assertThat(rbac.assignments.ofPrincipal(alice.toUpperCase(java.util.Locale.ROOT))).containsExactly(atSub, atWs, atRg2);
    }

    @Test
    void deletesAssignments() {
        RoleAssignment assignment = create(WS, UUID.randomUUID().toString(), READER_ID, alice).assignment();

        assertThat(rbac.assignments.delete(WS, assignment.name(), "admin")).contains(assignment);
        assertThat(rbac.assignments.delete(WS, assignment.name(), "admin")).isEmpty();
        assertThat(rbac.assignments.get(WS, assignment.name())).isEmpty();
        assertThat(new RoleAssignmentTable(rbac.database.dataSource()).all()).isEmpty();
    }

    @Test
    void grantBuiltInIsIdempotent() {
        RoleAssignment first = rbac.assignments.grantBuiltIn(alice, "owner", SUB, "platform");
        RoleAssignment second = rbac.assignments.grantBuiltIn(alice, "Owner", SUB, "platform");

        assertThat(second).isEqualTo(first);
        assertThat(first.roleDefinitionName()).isEqualTo(BuiltInRoles.OWNER);
        assertThat(rbac.assignments.all()).containsExactly(first);

        RoleAssignment existing = create(RG, UUID.randomUUID().toString(), READER_ID, bob).assignment();
        assertThat(rbac.assignments.grantBuiltIn(bob, "Reader", RG, "platform")).as("an assignment made another way counts").isEqualTo(existing);
        assertThatThrownBy(() -> rbac.assignments.grantBuiltIn(alice, "Janitor", SUB, "platform")).isInstanceOf(IllegalArgumentException.class);
    }
}
