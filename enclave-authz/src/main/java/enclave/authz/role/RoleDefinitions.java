package enclave.authz.role;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.store.ResourceStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Role definitions: the built-in roles and the custom ones users create, which are stored as resources
 * ({@code /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}}). Every read is served from an
 * in-memory map that each change replaces whole, so permission checks never touch the database.
 */
public final class RoleDefinitions {
    private static final Logger log = LoggerFactory.getLogger(RoleDefinitions.class);
    private static final Pattern ID = Pattern.compile("(?:/subscriptions/([^/]+))?/providers/Microsoft\\.Authorization/roleDefinitions/([^/]+)/?",
            Pattern.CASE_INSENSITIVE);

    private final ResourceStore store;
    private final RoleUsage usage;
    private final Object changes = new Object();
    private volatile Map<String, RoleDefinition> custom;

    public RoleDefinitions(ResourceStore store, RoleUsage usage) {
        this.store = store;
        this.usage = usage;
        Map<String, RoleDefinition> loaded = new HashMap<>();
        for (RoleDefinition role : store.allOfType(RoleDefinition.TYPE, RoleDefinition.class)) {
            loaded.put(role.name(), role);
        }
        this.custom = Map.copyOf(loaded);
    }

    /** The outcome of a create-or-update: the stored role and whether it is new. */
    public record Saved(RoleDefinition definition, boolean created) {}

    /** Built-in roles first, then custom roles by name. */
    public List<RoleDefinition> all() {
        List<RoleDefinition> all = new ArrayList<>(BuiltInRoles.all());
        custom.values().stream().sorted(Comparator.comparing(RoleDefinition::roleName, String.CASE_INSENSITIVE_ORDER)).forEach(all::add);
        return all;
    }

    /**
     * The roles that can be assigned at {@code scope} (built-in roles, and custom roles assignable there or above); with
     * {@code includeBelow}, also custom roles assignable only below it (ARM's {@code atScopeAndBelow()}).
     */
    public List<RoleDefinition> visibleAt(ResourceId scope, boolean includeBelow) {
        return all().stream().filter(role -> role.assignableAt(scope) || (includeBelow && role.assignableBelow(scope))).toList();
    }

    /** An object that changes (by identity) whenever a custom role does: what a cached decision was made against. */
    public Object version() {
        return custom;
    }

    /** The role with this GUID, built-in or custom. */
    public Optional<RoleDefinition> byName(String name) {
        if (!Guids.isGuid(name)) {
            return Optional.empty();
        }
        String key = name.toLowerCase(Locale.ROOT);
        return BuiltInRoles.byName(key).or(() -> Optional.ofNullable(custom.get(key)));
    }

    /**
     * The role a role definition id names: {@code /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}},
     * the tenant-level {@code /providers/...} form, or the bare GUID.
     */
    public Optional<RoleDefinition> byId(String idOrName) {
        return nameOf(idOrName).flatMap(this::byName);
    }

    /** The role with this display name, compared case-insensitively. */
    public Optional<RoleDefinition> byRoleName(String roleName) {
        return all().stream().filter(role -> role.roleName().equalsIgnoreCase(roleName)).findFirst();
    }

    /** The GUID inside a role definition id (or the GUID itself), if the text is one of the forms {@link #byId} takes. */
    public static Optional<String> nameOf(String idOrName) {
        if (idOrName == null) {
            return Optional.empty();
        }
        if (Guids.isGuid(idOrName)) {
            return Optional.of(idOrName.toLowerCase(Locale.ROOT));
        }
        Matcher matcher = ID.matcher(idOrName);
        return matcher.matches() && Guids.isGuid(matcher.group(2)) ? Optional.of(matcher.group(2).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /**
     * Creates the custom role {@code name} in {@code subscription}, or updates it. Built-in roles cannot be changed, names are
     * unique (built-in names included, case-insensitively), and an update may not take away an assignable scope that
     * assignments of the role still use.
     */
    public Saved createOrUpdate(String subscription, String name, CustomRole role) {
        String key = Guids.require(name, "role definition name");
        synchronized (changes) {
            Optional<RoleDefinition> builtIn = BuiltInRoles.byName(key);
            if (builtIn.isPresent()) {
                throw new EnclaveException(ErrorCode.BadRequest, "role definition " + key + " is the built-in role '" + builtIn.get().roleName()
                        + "'; built-in roles cannot be changed: create a custom role with a new GUID");
            }
            Optional<RoleDefinition> sameName = byRoleName(role.roleName()).filter(other -> !other.name().equals(key));
            if (sameName.isPresent()) {
                RoleDefinition other = sameName.get();
                throw new EnclaveException(ErrorCode.Conflict, other.type() == RoleType.BuiltInRole
                        ? "'" + role.roleName() + "' is the name of a built-in role; choose another name for the custom role"
                        : "a custom role named '" + other.roleName() + "' already exists (" + other.id() + "); choose another name or update that role");
            }
            Optional<RoleDefinition> existing = Optional.ofNullable(custom.get(key));
            // An existing role keeps its id (and subscription); a new one lives in the subscription it was created in.
            String id = existing.map(RoleDefinition::id).orElse(RoleDefinition.subscriptionId(subscription, key));
            RoleDefinition updated = new RoleDefinition(id, key, role.roleName(), role.description(), RoleType.CustomRole, role.permissions(),
                    role.assignableScopes());
            if (existing.isPresent()) {
                for (RoleUsage.Use use : usage.assignmentsOf(key)) {
                    if (!updated.assignableAt(use.scope())) {
                        throw new EnclaveException(ErrorCode.Conflict, "role '" + updated.roleName() + "' is assigned at " + use.scope()
                                + " (" + use.assignmentId() + "), which the new assignableScopes do not cover; keep a scope that covers it or delete the assignment first");
                    }
                }
            }
            store.put(ResourceId.parse(id), updated);
            Map<String, RoleDefinition> next = new HashMap<>(custom);
            next.put(key, updated);
            custom = Map.copyOf(next);
            log.info("role definition {} id={} roleName='{}' assignableScopes={}", existing.isPresent() ? "updated" : "created", id, updated.roleName(),
                    updated.assignableScopes());
            return new Saved(updated, existing.isEmpty());
        }
    }

    /** Deletes the custom role {@code name}; refused for built-in roles and while assignments use it. Empty when there was none. */
    public Optional<RoleDefinition> delete(String name) {
        Optional<RoleDefinition> builtIn = BuiltInRoles.byName(name);
        if (builtIn.isPresent()) {
            throw new EnclaveException(ErrorCode.BadRequest, "'" + builtIn.get().roleName() + "' is a built-in role; built-in roles cannot be deleted");
        }
        if (!Guids.isGuid(name)) {
            return Optional.empty();
        }
        String key = name.toLowerCase(Locale.ROOT);
        synchronized (changes) {
            RoleDefinition existing = custom.get(key);
            if (existing == null) {
                return Optional.empty();
            }
            List<RoleUsage.Use> uses = usage.assignmentsOf(key);
            if (!uses.isEmpty()) {
                throw new EnclaveException(ErrorCode.Conflict, "role '" + existing.roleName() + "' is still used by " + uses.size()
                        + (uses.size() == 1 ? " role assignment" : " role assignments") + " ("
                        + String.join(", ", uses.stream().map(RoleUsage.Use::assignmentId).toList())
                        + "); delete those assignments first, then the role");
            }
            store.delete(ResourceId.parse(existing.id()));
            Map<String, RoleDefinition> next = new HashMap<>(custom);
            next.remove(key);
            custom = Map.copyOf(next);
            log.info("role definition deleted id={} roleName='{}'", existing.id(), existing.roleName());
            return Optional.of(existing);
        }
    }

    /**
     * Runs {@code action} while no role definition can be created, changed or deleted, so a role found inside it stays as found
     * (role assignments are created this way, and a role cannot be deleted from under a new assignment).
     */
    public <T> T whileUnchanged(Supplier<T> action) {
        synchronized (changes) {
            return action.get();
        }
    }
}
