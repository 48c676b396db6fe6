package enclave.authz;

/** The outcome of a permission check; callers must handle both. */
public sealed interface Decision {
    record Allowed(String because) implements Decision {}

    record Denied(String reason) implements Decision {}
}
