package enclave.cli.http;

/** Hands out bearer tokens by OAuth2 scope ({@code https://management.azure.com/.default} and the like). */
@FunctionalInterface
public interface TokenSource {
    String MANAGEMENT = "https://management.azure.com/.default";
    String STORAGE = "https://storage.azure.com/.default";
    String ML = "https://ml.azure.com/.default";

    AccessToken token(String scope);
}
