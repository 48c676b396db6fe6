package enclave.authz;

import static enclave.authz.RbacFixture.CONTAINER;
import static enclave.authz.RbacFixture.EP;
import static enclave.authz.RbacFixture.EP2;
import static enclave.authz.RbacFixture.RG;
import static enclave.authz.RbacFixture.RG2;
import static enclave.authz.RbacFixture.STORAGE;
import static enclave.authz.RbacFixture.SUB;
import static enclave.authz.RbacFixture.WS;
import static enclave.authz.RbacFixture.WS_RG2;
import static org.assertj.core.api.Assertions.assertThat;

import enclave.authz.role.CustomRole;
import enclave.authz.role.Permission;
import enclave.core.ResourceId;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Evaluation, table-driven: who may do what where, and the reason each decision gives. */
class RoleBasedAuthorizerTest {
    private static final String ML = "Microsoft.MachineLearningServices/workspaces/";
    private static final String ENDPOINT = ML + "onlineEndpoints/";
    private static final String BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/";

    @TempDir
    static Path temp;

    private static RbacFixture rbac;

    @BeforeAll
    static void assignRoles() {
        rbac = new RbacFixture(temp);
        rbac.grant("owner", "Owner", SUB);
        rbac.grant("contributor", "Contributor", SUB);
        rbac.grant("reader", "Reader", RG);
        rbac.grant("rg-contributor", "Contributor", RG);
        rbac.grant("access-admin", "User Access Administrator", RG);
        rbac.grant("scientist", "AzureML Data Scientist", WS);
        rbac.grant("blob-reader", "Storage Blob Data Reader", STORAGE);
        rbac.grant("blob-contributor", "Storage Blob Data Contributor", STORAGE);
        rbac.grant("secrets-reader", "Azure Machine Learning Workspace Connection Secrets Reader", WS);
        // Two custom roles: one carves listKeys out of the endpoint actions, the other grants exactly listKeys.
        String endpointsWithoutKeys = custom("Endpoints without keys", Permission.of(List.of(ENDPOINT + "*"), List.of(ENDPOINT + "listKeys/action")));
        String keysOnly = custom("Endpoint keys", Permission.of(List.of(ENDPOINT + "listKeys/action"), List.of()));
        // One custom role whose first block takes delete out and whose second block grants it back.
        String twoBlocks = custom("Two blocks", Permission.of(List.of(ENDPOINT + "*"), List.of(ENDPOINT + "delete")),
                Permission.of(List.of(ENDPOINT + "delete"), List.of()));
        String scoreOnly = custom("Scorer", Permission.of(List.of(ENDPOINT + "score/action"), List.of()));
        rbac.assign("no-keys", endpointsWithoutKeys, WS);
        rbac.assign("keys-elsewhere", endpointsWithoutKeys, WS);
        rbac.assign("keys-elsewhere", keysOnly, WS);
        rbac.assign("two-blocks", twoBlocks, WS);
        rbac.assign("ep-scorer", scoreOnly, EP);
    }

    @AfterAll
    static void close() {
        rbac.close();
    }

    private static String custom(String roleName, Permission... permissions) {
        String name = UUID.randomUUID().toString();
        rbac.roles.createOrUpdate("s1", name, new CustomRole(roleName, "", List.of(permissions), List.of(RG.toString())));
        return name;
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                // principal, action, scope, data action?, allowed?, reason contains
                row("owner", ENDPOINT + "write", EP, false, true, "role 'Owner' at /subscriptions/s1 grants it through actions '*'"),
                row("owner", "Microsoft.Authorization/roleAssignments/write", WS, false, true, "actions '*'"),
                row("owner", BLOBS + "read", CONTAINER, true, false, "role 'Owner' at /subscriptions/s1 has no dataActions matching it"),
                // Contributor: everything but access management
                row("contributor", ML + "write", WS, false, true, "role 'Contributor' at /subscriptions/s1 grants it through actions '*'"),
                row("contributor", "Microsoft.Authorization/roleAssignments/write", RG, false, false,
                        "role 'Contributor' at /subscriptions/s1 excludes it through notActions 'Microsoft.Authorization/*/Write'"),
                row("contributor", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", RG, false, false, "notActions 'Microsoft.Authorization/*/Write'"),
                row("contributor", "Microsoft.Authorization/roleAssignments/delete", RG, false, false, "notActions 'Microsoft.Authorization/*/Delete'"),
                row("contributor", "Microsoft.Authorization/roleDefinitions/write", SUB, false, false, "notActions 'Microsoft.Authorization/*/Write'"),
                row("contributor", "Microsoft.Authorization/roleAssignments/read", RG, false, true, "actions '*'"),
                // User Access Administrator: access management and reads, at its scope and below only
                row("access-admin", "Microsoft.Authorization/roleAssignments/write", RG, false, true,
                        "role 'User Access Administrator' at /subscriptions/s1/resourceGroups/rg grants it through actions 'Microsoft.Authorization/*'"),
                row("access-admin", "Microsoft.Authorization/roleAssignments/write", EP, false, true, "'Microsoft.Authorization/*'"),
                row("access-admin", "Microsoft.Authorization/roleAssignments/write", SUB, false, false,
                        "no role assignment of principal '" + RbacFixture.id("access-admin") + "' at /subscriptions/s1 or above"),
                row("access-admin", ML + "write", WS, false, false, "role 'User Access Administrator' at /subscriptions/s1/resourceGroups/rg has no actions matching it"),
                row("access-admin", ML + "read", WS, false, true, "actions '*/read'"),
                // Reader; ancestry by segments: rg is not an ancestor of rg2
                row("reader", ENDPOINT + "read", EP, false, true, "role 'Reader' at /subscriptions/s1/resourceGroups/rg grants it through actions '*/read'"),
                row("reader", ENDPOINT + "read", ResourceId.parse("/SUBSCRIPTIONS/s1/resourcegroups/RG/providers/microsoft.machinelearningservices/Workspaces/WS"), false,
                        true, "actions '*/read'"),
                row("reader", ENDPOINT + "listKeys/action", EP, false, false, "has no actions matching it"),
                row("reader", ML + "read", WS_RG2, false, false, "no role assignment of principal '" + RbacFixture.id("reader") + "' at " + WS_RG2 + " or above"),
                row("reader", "Microsoft.Resources/subscriptions/resourceGroups/read", RG2, false, false, "no role assignment"),
                row("rg-contributor", ML + "write", WS, false, true, "actions '*'"),
                row("rg-contributor", ML + "write", WS_RG2, false, false, "no role assignment"),
                row("rg-contributor", "Microsoft.Resources/subscriptions/resourceGroups/write", SUB, false, false, "no role assignment"),
                // AzureML Data Scientist: scores, deploys, but does not change or delete the workspace, nor read its keys
                row("scientist", ENDPOINT + "score/action", EP, false, true,
                        "role 'AzureML Data Scientist' at " + WS + " grants it through actions 'Microsoft.MachineLearningServices/workspaces/*/action'"),
                row("scientist", "microsoft.machinelearningservices/workspaces/onlineendpoints/score/action", EP, false, true, "workspaces/*/action'"),
                row("scientist", ENDPOINT + "write", EP, false, true, "workspaces/*/write'"),
                row("scientist", ENDPOINT + "deployments/delete", EP, false, true, "workspaces/*/delete'"),
                row("scientist", ML + "write", WS, false, false, "has no actions matching it"),
                row("scientist", ML + "delete", WS, false, false, "has no actions matching it"),
                row("scientist", ML + "listKeys/action", WS, false, false,
                        "excludes it through notActions 'Microsoft.MachineLearningServices/workspaces/listKeys/action'"),
                row("scientist", ML + "hubs/write", WS, false, false, "excludes it through notActions 'Microsoft.MachineLearningServices/workspaces/hubs/write'"),
                row("scientist", "Microsoft.Authorization/roleAssignments/write", WS, false, false, "has no actions matching it"),
                row("scientist", ENDPOINT + "score/action", ResourceId.parse(WS_RG2 + "/onlineEndpoints/ep"), false, false, "no role assignment"),
                row("secrets-reader", ML + "connections/listsecrets/action", WS.child("connections", "c1"), false, true, "connections/listsecrets/action'"),
                row("secrets-reader", ML + "connections/write", WS, false, false, "has no actions matching it"),
                // data actions and control-plane actions are kept apart
                row("blob-reader", BLOBS + "read", CONTAINER, true, true,
                        "role 'Storage Blob Data Reader' at " + STORAGE + " grants it through dataActions '" + BLOBS + "read'"),
                row("blob-reader", BLOBS + "write", CONTAINER, true, false, "has no dataActions matching it"),
                row("blob-reader", BLOBS + "read", CONTAINER, false, false, "has no actions matching it"),
                row("blob-reader", "Microsoft.Storage/storageAccounts/blobServices/containers/read", CONTAINER, false, true, "actions"),
                row("blob-reader", "Microsoft.Storage/storageAccounts/blobServices/containers/read", CONTAINER, true, false, "has no dataActions"),
                row("blob-contributor", BLOBS + "write", CONTAINER, true, true, "dataActions '" + BLOBS + "write'"),
                row("blob-contributor", BLOBS + "delete", STORAGE.child("blobServices", "default").child("containers", "other"), true, true, "dataActions"),
                row("blob-contributor", BLOBS + "read", ResourceId.of("s1", "rg", "Microsoft.Storage", "storageAccounts", "st2"), true, false, "no role assignment"),
                // NotActions remove an action from their own role only
                row("no-keys", ENDPOINT + "read", EP, false, true, "role 'Endpoints without keys' at " + WS + " grants it"),
                row("no-keys", ENDPOINT + "listKeys/action", EP, false, false,
                        "role 'Endpoints without keys' at " + WS + " excludes it through notActions '" + ENDPOINT + "listKeys/action'"),
                row("keys-elsewhere", ENDPOINT + "listKeys/action", EP, false, true, "role 'Endpoint keys' at " + WS + " grants it through actions"),
                // ... and from their own block only: another block of the same role may grant it
                row("two-blocks", ENDPOINT + "delete", EP, false, true, "role 'Two blocks' at " + WS + " grants it through actions '" + ENDPOINT + "delete'"),
                // an assignment below the scope grants nothing at the scope, nor at a sibling
                row("ep-scorer", ENDPOINT + "score/action", EP, false, true, "role 'Scorer' at " + EP + " grants it"),
                row("ep-scorer", ENDPOINT + "score/action", EP.child("deployments", "blue"), false, true, "role 'Scorer'"),
                row("ep-scorer", ENDPOINT + "score/action", EP2, false, false, "no role assignment"),
                row("ep-scorer", ENDPOINT + "score/action", WS, false, false, "no role assignment"),
                row("nobody", ENDPOINT + "read", EP, false, false, "no role assignment of principal '" + RbacFixture.id("nobody") + "' at " + EP + " or above"));
    }

    private static Arguments row(String principal, String action, ResourceId scope, boolean data, boolean allowed, String reason) {
        return Arguments.of(principal, action, scope, data, allowed, reason);
    }

    @ParameterizedTest(name = "{0} {1} at {2} (data: {3}) -> {4}")
    @MethodSource("decisions")
    void decides(String principal, String action, ResourceId scope, boolean data, boolean allowed, String reason) {
        Decision decision = data ? rbac.authorizer.checkData(RbacFixture.caller(principal), action, scope)
                : rbac.authorizer.check(RbacFixture.caller(principal), action, scope);

        if (allowed) {
            assertThat(decision).isInstanceOfSatisfying(Decision.Allowed.class, a -> assertThat(a.because()).contains(reason));
        } else {
            assertThat(decision).isInstanceOfSatisfying(Decision.Denied.class, d -> assertThat(d.reason()).contains(reason));
        }
        assertThat(rbac.authorizer.explain(RbacFixture.id(principal), action, scope, data).allowed()).isEqualTo(allowed);
    }

    @Test
    void anAllowedDecisionNamesTheAssignment() {
        Decision decision = rbac.authorizer.check(RbacFixture.caller("scientist"), ENDPOINT + "score/action", EP);

        String assignmentId = rbac.assignments.ofPrincipal(RbacFixture.id("scientist")).getFirst().id();
        assertThat(decision).isInstanceOfSatisfying(Decision.Allowed.class, a -> assertThat(a.because()).contains("(role assignment " + assignmentId + ")"));
    }

    @Test
    void explainConsidersEveryAssignmentAtTheScopeOrAboveNearestFirst() {
        Explanation explanation = rbac.authorizer.explain(RbacFixture.id("keys-elsewhere"), ENDPOINT + "listKeys/action", EP, false);

        assertThat(explanation.allowed()).isTrue();
        assertThat(explanation.grantedBy()).hasValueSatisfying(grant -> {
            assertThat(grant.role().roleName()).isEqualTo("Endpoint keys");
            assertThat(grant.pattern()).isEqualTo(ENDPOINT + "listKeys/action");
            assertThat(grant.assignment().scope()).isEqualTo(WS);
        });
        assertThat(explanation.considered()).extracting(Explanation.Consideration::outcome)
                .containsExactly(Explanation.Outcome.EXCLUDES, Explanation.Outcome.GRANTS);
    }

    @Test
    void aDenialListsWhatEachApplicableRoleDid() {
        rbac.grant("layered", "Reader", SUB);
        rbac.grant("layered", "Contributor", RG);

        Explanation explanation = rbac.authorizer.explain(RbacFixture.id("layered"), "Microsoft.Authorization/roleAssignments/write", WS, false);

        assertThat(explanation.allowed()).isFalse();
        assertThat(explanation.considered()).extracting(c -> c.assignment().scope()).containsExactly(RG, SUB);
        assertThat(explanation.reason()).isEqualTo("no role assignment of principal '" + RbacFixture.id("layered") + "' at " + WS + " or above grants it: "
                + "role 'Contributor' at /subscriptions/s1/resourceGroups/rg excludes it through notActions 'Microsoft.Authorization/*/Write'; "
                + "role 'Reader' at /subscriptions/s1 has no actions matching it");
    }

    @Test
    void changesShowAtOnceAndChecksNeverReadTheDatabase(@TempDir Path own) {
        try (RbacFixture fresh = new RbacFixture(own)) {
            String scorer = fresh.grant("scorer", "AzureML Data Scientist", WS);
            assertThat(fresh.authorizer.check(RbacFixture.caller("scorer"), ENDPOINT + "score/action", EP)).isInstanceOf(Decision.Allowed.class);

            fresh.assignments.delete(WS, fresh.assignments.ofPrincipal(scorer).getFirst().name(), "test");
            assertThat(fresh.authorizer.check(RbacFixture.caller("scorer"), ENDPOINT + "score/action", EP)).isInstanceOf(Decision.Denied.class);

            fresh.grant("scorer", "Owner", SUB);
            fresh.database.close();
            // With the database closed, checks still answer from the in-memory snapshots.
            assertThat(fresh.authorizer.check(RbacFixture.caller("scorer"), ENDPOINT + "score/action", EP)).isInstanceOf(Decision.Allowed.class);
            assertThat(fresh.authorizer.checkData(RbacFixture.caller("scorer"), BLOBS + "read", CONTAINER)).isInstanceOf(Decision.Denied.class);
        }
    }

    @Test
    void aCallerWithoutObjectIdIsDenied() {
        enclave.core.http.Caller anonymous = new enclave.core.http.Caller(null, RbacFixture.TENANT, "key", Optional.empty(), "https://ml.azure.com");

        assertThat(rbac.authorizer.check(anonymous, ENDPOINT + "score/action", EP)).isInstanceOf(Decision.Denied.class);
    }
}
