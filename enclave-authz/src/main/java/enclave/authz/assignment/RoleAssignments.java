package enclave.authz.assignment;

import enclave.authz.role.BuiltInRoles;
import enclave.authz.role.Guids;
import enclave.authz.role.RoleDefinition;
import enclave.authz.role.RoleDefinitions;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.identity.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Role assignments: validated before they are stored, durable in {@link RoleAssignmentTable}, and served from an in-memory
 * index that is loaded at start and replaced whole after every change, so permission checks never touch the database.
 */
public final class RoleAssignments {
    private static final Logger log = LoggerFactory.getLogger(RoleAssignments.class);
    // The principal types ARM accepts in a role assignment body.
    private static final Set<String> PRINCIPAL_TYPES = Set.of("user", "group", "serviceprincipal", "foreigngroup", "device");

    private final RoleAssignmentTable table;
    private final RoleDefinitions roles;
    private final Function<String, Optional<Principal>> directory;
    private final Clock clock;
    private final Object changes = new Object();
    private volatile Index index;

    /**
     * @param directory finds a principal by object id ({@code principals::byObjectId})
     */
    public RoleAssignments(RoleAssignmentTable table, RoleDefinitions roles, Function<String, Optional<Principal>> directory, Clock clock) {
        this.table = table;
        this.roles = roles;
        this.directory = directory;
        this.clock = clock;
        this.index = Index.of(table.all());
    }

    /** The outcome of a create: the assignment and whether it is new (an identical PUT answers with the existing one). */
    public record Saved(RoleAssignment assignment, boolean created) {}

    /**
     * Assigns a role: {@code roleDefinitionId} (an id or GUID) to the principal {@code principalId} at {@code scope}, named
     * {@code name}. The role must exist and be assignable at the scope, the principal must be in the directory, and the same
     * grant may exist only once.
     *
     * @param principalType what the caller says the principal is; checked to be a type ARM knows, while the stored type is
     *     the directory's
     */
    public Saved create(ResourceId scope, String name, String roleDefinitionId, String principalId, Optional<String> principalType, String createdBy) {
        String key = Guids.require(name, "role assignment name");
        if (roleDefinitionId == null || roleDefinitionId.isBlank()) {
            throw invalid("the role assignment needs properties.roleDefinitionId, e.g. /subscriptions/" + scope.subscription()
                    + "/providers/Microsoft.Authorization/roleDefinitions/" + BuiltInRoles.READER);
        }
        if (RoleDefinitions.nameOf(roleDefinitionId).isEmpty()) {
            throw invalid("roleDefinitionId '" + roleDefinitionId + "' is not a role definition id; expected /subscriptions/{id}/providers/"
                    + "Microsoft.Authorization/roleDefinitions/{guid}");
        }
        if (principalId == null || principalId.isBlank()) {
            throw invalid("the role assignment needs properties.principalId, the object id of a user or service principal");
        }
        principalType.filter(type -> !PRINCIPAL_TYPES.contains(type.toLowerCase(Locale.ROOT))).ifPresent(type -> {
            throw invalid("principalType '" + type + "' is not one of User, Group, ServicePrincipal, ForeignGroup, Device");
        });
        // Object ids are GUIDs, which Azure compares case-insensitively; the directory keeps them lower-case.
        Principal principal = directory.apply(principalId).or(() -> directory.apply(principalId.toLowerCase(Locale.ROOT)))
                .orElseThrow(() -> new EnclaveException(ErrorCode.BadRequest,
                "principal '" + principalId + "' does not exist in the directory; use the object id of a user or service principal "
                        + "(./enclave ad sp list, ./enclave ad user list)"));
        return roles.whileUnchanged(() -> {
            RoleDefinition role = roles.byId(roleDefinitionId).orElseThrow(() -> new EnclaveException(ErrorCode.BadRequest,
                    "role definition '" + roleDefinitionId + "' does not exist; list the roles with ./enclave role definition list"));
            if (!role.assignableAt(scope)) {
                throw new EnclaveException(ErrorCode.BadRequest, "role '" + role.roleName() + "' cannot be assigned at " + scope
                        + ": its assignableScopes are " + role.assignableScopes() + "; assign it at or below one of them");
            }
            return store(scope, key, role, principal, createdBy);
        });
    }

    /**
     * Gives {@code principalId} the built-in role {@code roleName} (e.g. "Owner") at {@code scope} unless it already holds it there;
     * the platform calls this on first start for its admin. Idempotent: the assignment's name is derived from what it grants.
     */
    public RoleAssignment grantBuiltIn(String principalId, String roleName, ResourceId scope, String createdBy) {
        RoleDefinition role = BuiltInRoles.byRoleName(roleName).orElseThrow(() -> new IllegalArgumentException("no built-in role named " + roleName));
        Optional<RoleAssignment> existing = find(principalId, role.name(), scope);
        if (existing.isPresent()) {
            return existing.get();
        }
        Principal principal = directory.apply(principalId)
                .orElseThrow(() -> new IllegalArgumentException("principal " + principalId + " is not in the directory"));
        String name = UUID.nameUUIDFromBytes((principal.objectId().toLowerCase(Locale.ROOT) + "|" + role.name() + "|" + scope.key())
                .getBytes(StandardCharsets.UTF_8)).toString();
        return roles.whileUnchanged(() -> store(scope, name, role, principal, createdBy)).assignment();
    }

    private Saved store(ResourceId scope, String name, RoleDefinition role, Principal principal, String createdBy) {
        synchronized (changes) {
            Index current = index;
            String id = RoleAssignment.idOf(scope, name);
            Optional<RoleAssignment> sameId = Optional.ofNullable(current.byId.get(id.toLowerCase(Locale.ROOT)));
            if (sameId.isPresent()) {
                RoleAssignment existing = sameId.get();
                if (existing.grants(principal.objectId(), role.name(), scope)) {
                    return new Saved(existing, false);
                }
                throw new EnclaveException(ErrorCode.Conflict, "role assignment " + existing.id() + " already exists and grants another role or "
                        + "principal; role assignments cannot be changed: delete it and create a new one");
            }
            Optional<RoleAssignment> sameName = Optional.ofNullable(current.byName.get(name));
            if (sameName.isPresent()) {
                throw new EnclaveException(ErrorCode.Conflict, "the role assignment name " + name + " is already used by " + sameName.get().id()
                        + "; names are unique across the tenant: use a new GUID");
            }
            Optional<RoleAssignment> sameGrant = current.find(principal.objectId(), role.name(), scope);
            if (sameGrant.isPresent()) {
                throw new EnclaveException(ErrorCode.Conflict, "principal '" + principal.objectId() + "' already has role '" + role.roleName()
                        + "' at " + scope + " through role assignment " + sameGrant.get().id());
            }
            RoleAssignment assignment = new RoleAssignment(id, name, scope, role.idIn(scope.subscription()), principal.objectId(),
                    principal.principalType(), clock.instant().truncatedTo(ChronoUnit.MILLIS), createdBy);
            table.insert(assignment);
            index = Index.of(table.all());
            log.info("role assignment created id={} principal={} role='{}' scope={} by={}", assignment.id(), assignment.principalId(), role.roleName(),
                    scope, createdBy);
            return new Saved(assignment, true);
        }
    }

    /** The assignment {@code name} at exactly {@code scope}. */
    public Optional<RoleAssignment> get(ResourceId scope, String name) {
        return byId(RoleAssignment.idOf(scope, name));
    }

    public Optional<RoleAssignment> byId(String id) {
        return Optional.ofNullable(index.byId.get(id.toLowerCase(Locale.ROOT)));
    }

    /** Deletes the assignment {@code name} at {@code scope}; empty when there was none. */
    public Optional<RoleAssignment> delete(ResourceId scope, String name, String deletedBy) {
        synchronized (changes) {
            Optional<RoleAssignment> existing = get(scope, name);
            if (existing.isPresent()) {
                table.delete(existing.get());
                index = Index.of(table.all());
                log.info("role assignment deleted id={} principal={} by={}", existing.get().id(), existing.get().principalId(), deletedBy);
            }
            return existing;
        }
    }

    /** Deletes every assignment of a principal that no longer exists (a deleted managed identity); returns how many. */
    public int deleteAllOf(String principalId, String deletedBy) {
        synchronized (changes) {
            List<RoleAssignment> held = ofPrincipal(principalId);
            for (RoleAssignment assignment : held) {
                table.delete(assignment);
                log.info("role assignment deleted id={} principal={} by={} (principal deleted)", assignment.id(), principalId, deletedBy);
            }
            if (!held.isEmpty()) {
                index = Index.of(table.all());
            }
            return held.size();
        }
    }

    /** Every assignment, oldest first. */
    public List<RoleAssignment> all() {
        return index.all;
    }

    /** The assignments at {@code scope} and at its ancestors: those that apply there (by segments, never by string prefix). */
    public List<RoleAssignment> atScope(ResourceId scope) {
        return index.all.stream().filter(assignment -> scope.isWithin(assignment.scope())).toList();
    }

    /** The assignments strictly below {@code scope}. */
    public List<RoleAssignment> below(ResourceId scope) {
        return index.all.stream().filter(assignment -> assignment.scope().isWithin(scope) && !assignment.scope().key().equals(scope.key())).toList();
    }

    /** An object that changes (by identity) whenever any assignment does: what a cached decision was made against. */
    public Object version() {
        return index;
    }

    /** The assignments of one principal, wherever they are. */
    public List<RoleAssignment> ofPrincipal(String principalId) {
        return index.byPrincipal.getOrDefault(principalId.toLowerCase(Locale.ROOT), List.of());
    }

    /** The assignment that gives {@code principalId} the role {@code roleName} (a GUID) at exactly {@code scope}. */
    public Optional<RoleAssignment> find(String principalId, String roleName, ResourceId scope) {
        return index.find(principalId, roleName, scope);
    }

    private static EnclaveException invalid(String message) {
        return new EnclaveException(ErrorCode.InvalidRequestContent, message);
    }

    /** An immutable view of every assignment, replaced whole on each change. */
    private record Index(List<RoleAssignment> all, Map<String, List<RoleAssignment>> byPrincipal, Map<String, RoleAssignment> byId,
            Map<String, RoleAssignment> byName) {
        static Index of(List<RoleAssignment> assignments) {
            Map<String, List<RoleAssignment>> byPrincipal = new HashMap<>();
            Map<String, RoleAssignment> byId = new HashMap<>();
            Map<String, RoleAssignment> byName = new HashMap<>();
            for (RoleAssignment assignment : assignments) {
                byPrincipal.computeIfAbsent(assignment.principalId(), principal -> new ArrayList<>()).add(assignment);
                byId.put(assignment.id().toLowerCase(Locale.ROOT), assignment);
                byName.put(assignment.name(), assignment);
            }
            Map<String, List<RoleAssignment>> frozen = new HashMap<>();
            byPrincipal.forEach((principal, list) -> frozen.put(principal, List.copyOf(list)));
            return new Index(List.copyOf(assignments), Map.copyOf(frozen), Map.copyOf(byId), Map.copyOf(byName));
        }

        Optional<RoleAssignment> find(String principalId, String roleName, ResourceId scope) {
            return byPrincipal.getOrDefault(principalId.toLowerCase(Locale.ROOT), List.of()).stream()
                    .filter(assignment -> assignment.grants(principalId, roleName, scope))
                    .findFirst();
        }
    }
}
