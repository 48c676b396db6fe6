package enclave.authz.role;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import enclave.core.ResourceId;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Custom roles over a real H2 store; assignments are a hand-written usage list. */
class RoleDefinitionsTest {
    private static final String SUB = "/subscriptions/s1";
    private static final String RG = SUB + "/resourceGroups/rg";
    private static final String ENDPOINTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/";

    @TempDir
    Path temp;

    private Database database;
    private final Map<String, List<RoleUsage.Use>> uses = new HashMap<>();
    private RoleDefinitions roles;

    @BeforeEach
    void open() {
        database = Database.open(temp);
        roles = open(database);
    }

    private RoleDefinitions open(Database db) {
        return new RoleDefinitions(new JdbcResourceStore(db.dataSource()), name -> uses.getOrDefault(name, List.of()));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static CustomRole role(String roleName, String... scopes) {
        return new CustomRole(roleName, "reads endpoints", List.of(Permission.of(List.of(ENDPOINTS + "*/read"), List.of())), Arrays.asList(scopes));
    }

    @Test
    void createsUpdatesAndKeepsCustomRoles() {
        String name = UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);

        RoleDefinitions.Saved created = roles.createOrUpdate("s1", name, role("Endpoint Reader", RG.toUpperCase(java.util.Locale.ROOT) + "/", RG));
        RoleDefinition role = created.definition();
        assertThat(created.created()).isTrue();
        assertThat(role.name()).isEqualTo(name.toLowerCase(java.util.Locale.ROOT));
        assertThat(role.id()).isEqualTo("/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/" + role.name());
        assertThat(role.type()).isEqualTo(RoleType.CustomRole);
        assertThat(role.assignableScopes()).as("parsed, de-duplicated by key").containsExactly("/subscriptions/S1/resourceGroups/RG");

        RoleDefinitions.Saved updated = roles.createOrUpdate("s2", name, role("Endpoint Reader 2", RG, SUB));
        assertThat(updated.created()).isFalse();
        assertThat(updated.definition().id()).as("an update keeps the id").isEqualTo(role.id());

        RoleDefinitions reopened = open(database);
        assertThat(reopened.byId(role.id())).contains(updated.definition());
        assertThat(reopened.byId("/providers/Microsoft.Authorization/roleDefinitions/" + name)).contains(updated.definition());
        assertThat(reopened.byId(name)).contains(updated.definition());
        assertThat(reopened.byRoleName("endpoint READER 2")).contains(updated.definition());
        assertThat(reopened.byId("/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/" + name)).isEmpty();
        assertThat(reopened.all()).hasSize(11);
    }

    static Stream<Arguments> invalidRoles() {
        List<Permission> reads = List.of(Permission.of(List.of(ENDPOINTS + "read"), List.of()));
        return Stream.of(
                Arguments.of(null, reads, List.of(RG), "needs a roleName"),
                Arguments.of(" ", reads, List.of(RG), "needs a roleName"),
                Arguments.of("r", reads, List.of(), "needs assignableScopes"),
                Arguments.of("r", reads, null, "needs assignableScopes"),
                Arguments.of("r", reads, List.of("/"), "'/' is reserved for built-in roles"),
                Arguments.of("r", reads, List.of("/resourceGroups/rg"), "is not a resource id"),
                Arguments.of("r", reads, List.of(RG, "subscriptions/s1"), "is not a resource id"),
                Arguments.of("r", List.of(), List.of(RG), "needs permissions"),
                Arguments.of("r", List.of(Permission.of(List.of(), List.of(ENDPOINTS + "read"))), List.of(RG), "grants nothing"),
                Arguments.of("r", List.of(Permission.of(List.of("Microsoft Storage/read"), List.of())), List.of(RG), "actions entry 'Microsoft Storage/read'"),
                Arguments.of("r", List.of(new Permission(List.of(), List.of(), List.of("a//b"), List.of())), List.of(RG), "dataActions entry 'a//b'"));
    }

    @ParameterizedTest
    @MethodSource("invalidRoles")
    void refusesRolesThatCannotWork(String roleName, List<Permission> permissions, List<String> scopes, String message) {
        assertThatThrownBy(() -> roles.createOrUpdate("s1", UUID.randomUUID().toString(), new CustomRole(roleName, null, permissions, scopes)))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining(message);
    }

    @Test
    void builtInRolesCannotBeChangedDeletedOrNamedAgain() {
        assertThatThrownBy(() -> roles.createOrUpdate("s1", BuiltInRoles.OWNER, role("Owner", RG)))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("built-in role 'Owner'; built-in roles cannot be changed");
        assertThatThrownBy(() -> roles.delete(BuiltInRoles.READER))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("'Reader' is a built-in role");
        assertThatThrownBy(() -> roles.createOrUpdate("s1", UUID.randomUUID().toString(), role("contributor", RG)))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("'contributor' is the name of a built-in role");
        assertThatThrownBy(() -> roles.createOrUpdate("s1", "not-a-guid", role("x", RG)))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("is not a GUID");
    }

    @Test
    void customRoleNamesAreUnique() {
        RoleDefinition first = roles.createOrUpdate("s1", UUID.randomUUID().toString(), role("Deployer", RG)).definition();

        assertThatThrownBy(() -> roles.createOrUpdate("s1", UUID.randomUUID().toString(), role("DEPLOYER", SUB)))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("a custom role named 'Deployer' already exists (" + first.id() + ")");
    }

    @Test
    void aRoleInUseIsNotDeletedNorNarrowedFromUnderItsAssignments() {
        String name = UUID.randomUUID().toString();
        roles.createOrUpdate("s1", name, role("Scorer", RG));
        String assignment = RG + "/providers/Microsoft.Authorization/roleAssignments/" + UUID.randomUUID();
        uses.put(name, List.of(new RoleUsage.Use(assignment, ResourceId.parse(RG + "/providers/Microsoft.MachineLearningServices/workspaces/ws"))));

        assertThatThrownBy(() -> roles.delete(name))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessage("role 'Scorer' is still used by 1 role assignment (" + assignment + "); delete those assignments first, then the role");
        assertThatThrownBy(() -> roles.createOrUpdate("s1", name, role("Scorer", RG + "/providers/Microsoft.MachineLearningServices/workspaces/other")))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("is assigned at " + RG + "/providers/Microsoft.MachineLearningServices/workspaces/ws");
        assertThat(roles.createOrUpdate("s1", name, role("Scorer", SUB)).created()).as("widening is fine").isFalse();

        uses.clear();
        assertThat(roles.delete(name)).hasValueSatisfying(deleted -> assertThat(deleted.roleName()).isEqualTo("Scorer"));
        assertThat(roles.delete(name)).isEmpty();
        assertThat(open(database).byName(name)).as("gone from the store too").isEmpty();
    }

    @Test
    void rolesAreVisibleWhereTheyCanBeAssigned() {
        RoleDefinition atGroup = roles.createOrUpdate("s1", UUID.randomUUID().toString(), role("Group role", RG)).definition();
        ResourceId workspace = ResourceId.parse(RG + "/providers/Microsoft.MachineLearningServices/workspaces/ws");

        assertThat(roles.visibleAt(ResourceId.parse(RG), false)).contains(atGroup).hasSize(11);
        assertThat(roles.visibleAt(workspace, false)).contains(atGroup);
        assertThat(roles.visibleAt(ResourceId.parse(SUB), false)).doesNotContain(atGroup).hasSize(10);
        assertThat(roles.visibleAt(ResourceId.parse(SUB), true)).as("atScopeAndBelow()").contains(atGroup);
        assertThat(roles.visibleAt(ResourceId.parse(SUB + "/resourceGroups/rg2"), true)).as("rg is no ancestor of rg2").doesNotContain(atGroup);
        assertThat(roles.visibleAt(ResourceId.parse("/subscriptions/s2"), true)).doesNotContain(atGroup);
    }
}
