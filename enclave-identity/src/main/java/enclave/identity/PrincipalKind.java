package enclave.identity;

/** The kinds of directory objects that can hold roles and ask for tokens. */
public enum PrincipalKind {
    USER,
    SERVICE_PRINCIPAL,
    MANAGED_IDENTITY
}
