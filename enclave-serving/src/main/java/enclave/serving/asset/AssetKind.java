package enclave.serving.asset;

/** The versioned assets a deployment refers to, named by their ARM child type. */
public enum AssetKind {
    codes("code", "codeUri"),
    models("model", "modelUri"),
    environments("environment", null);

    private final String singular;
    private final String uriProperty;

    AssetKind(String singular, String uriProperty) {
        this.singular = singular;
        this.uriProperty = uriProperty;
    }

    public String singular() {
        return singular;
    }

    /** The ARM property holding the asset's location, or null for environments (which hold their definition). */
    public String uriProperty() {
        return uriProperty;
    }
}
