package enclave.authz;

import enclave.authz.assignment.RoleAssignmentTable;
import enclave.authz.assignment.RoleAssignments;
import enclave.authz.role.RoleDefinitions;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.identity.Principal;
import enclave.identity.PrincipalKind;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** The RBAC graph over a real H2 database in a temp dir, with a hand-written directory of principals. */
public final class RbacFixture implements AutoCloseable {
    public static final String TENANT = "tenant-1";
    public static final ResourceId SUB = ResourceId.subscription("s1");
    public static final ResourceId RG = ResourceId.resourceGroup("s1", "rg");
    public static final ResourceId RG2 = ResourceId.resourceGroup("s1", "rg2");
    public static final ResourceId WS = ResourceId.of("s1", "rg", "Microsoft.MachineLearningServices", "workspaces", "ws");
    public static final ResourceId EP = WS.child("onlineEndpoints", "ep");
    public static final ResourceId EP2 = WS.child("onlineEndpoints", "ep2");
    public static final ResourceId WS_RG2 = ResourceId.of("s1", "rg2", "Microsoft.MachineLearningServices", "workspaces", "ws");
    public static final ResourceId STORAGE = ResourceId.of("s1", "rg", "Microsoft.Storage", "storageAccounts", "st1");
    public static final ResourceId CONTAINER = STORAGE.child("blobServices", "default").child("containers", "models");

    public final Database database;
    public final Directory directory = new Directory();
    public final RoleAssignmentTable table;
    public final RoleDefinitions roles;
    public final RoleAssignments assignments;
    public final RoleBasedAuthorizer authorizer;

    public RbacFixture(Path dataDirectory) {
        database = Database.open(dataDirectory);
        table = new RoleAssignmentTable(database.dataSource());
        roles = new RoleDefinitions(new JdbcResourceStore(database.dataSource()), table);
        assignments = new RoleAssignments(table, roles, directory::byObjectId, new TickingClock());
        authorizer = new RoleBasedAuthorizer(roles, assignments);
    }

    /** A stable object id for a principal named in a test. */
    public static String id(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static Caller caller(String name) {
        return new Caller(id(name), TENANT, name, Optional.empty(), "https://management.azure.com");
    }

    /** Adds a service principal called {@code name} and gives it the built-in role at the scope. */
    public String grant(String name, String roleName, ResourceId scope) {
        directory.add(name, PrincipalKind.SERVICE_PRINCIPAL);
        assignments.grantBuiltIn(id(name), roleName, scope, "test");
        return id(name);
    }

    /** Adds a principal and assigns it a role (by GUID) at the scope, through the same path the REST API takes. */
    public String assign(String name, String roleGuid, ResourceId scope) {
        directory.add(name, PrincipalKind.SERVICE_PRINCIPAL);
        assignments.create(scope, UUID.randomUUID().toString(), roleGuid, id(name), Optional.empty(), "test");
        return id(name);
    }

    @Override
    public void close() {
        database.close();
    }

    /** A clock that moves one second each time it is read, so creation order shows in timestamps. */
    public static final class TickingClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-02T03:04:05Z"));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }

        @Override
        public Instant instant() {
            return now.getAndUpdate(instant -> instant.plusSeconds(1));
        }
    }

    /** The principals that exist, keyed by object id. */
    public static final class Directory {
        private final Map<String, Principal> principals = new ConcurrentHashMap<>();

        public Principal add(String name, PrincipalKind kind) {
            Principal principal = new Principal(id(name), TENANT, kind, kind == PrincipalKind.USER ? Optional.empty() : Optional.of(id("app-" + name)), name);
            principals.putIfAbsent(principal.objectId(), principal);
            return principals.get(principal.objectId());
        }

        public Optional<Principal> byObjectId(String objectId) {
            return Optional.ofNullable(principals.get(objectId));
        }
    }
}
