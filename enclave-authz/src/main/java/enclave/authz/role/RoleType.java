package enclave.authz.role;

/** Azure's role kinds; the names are what ARM shows in {@code properties.type}. */
public enum RoleType {
    BuiltInRole,
    CustomRole
}
