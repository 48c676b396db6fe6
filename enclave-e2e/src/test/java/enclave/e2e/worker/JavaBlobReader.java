package enclave.e2e.worker;

import com.azure.identity.ManagedIdentityCredential;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobClientBuilder;
import java.nio.charset.StandardCharsets;

/**
 * Java scoring code as users write it for Azure: azure-identity's managed identity credential and azure-storage-blob's client
 * for {@code https://<account>.blob.core.windows.net}. Run inside a deployment by the mi-java scorer; prints the blob.
 */
public final class JavaBlobReader {
    private JavaBlobReader() {
    }

    public static void main(String[] args) {
        String clientId = System.getenv("UAI_CLIENT_ID");
        ManagedIdentityCredentialBuilder credential = new ManagedIdentityCredentialBuilder();
        if (clientId != null && !clientId.isEmpty()) {
            credential.clientId(clientId);
        }
        ManagedIdentityCredential identity = credential.build();
        BlobClient blob = new BlobClientBuilder()
                .endpoint("https://" + System.getenv("STORAGE_ACCOUNT_NAME") + ".blob.core.windows.net")
                .containerName(System.getenv("STORAGE_CONTAINER_NAME"))
                .blobName(System.getenv("FILE_NAME"))
                .credential(identity)
                .buildClient();
        System.out.println(blob.downloadContent().toString().trim());
        System.out.flush();
        // The SDK's HTTP client threads would keep the JVM alive for a while.
        System.exit(0);
    }
}
