package enclave.e2e;

import static enclave.e2e.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** Azure's own Java blob client ({@code azure-storage-blob}) against Enclave's blob service, with bearer tokens and RBAC. */
class AzureBlobSdkTest {
    private static TestServer enclave;
    private static String account;
    private static String accountId;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        String sub = enclave.subscription();
        enclave.mgmt("PUT", "/subscriptions/" + sub + "/resourcegroups/sdk-rg", "{}");
        account = "sdkstore" + Long.toString(System.nanoTime() % 1_000_000, 36);
        accountId = "/subscriptions/" + sub + "/resourceGroups/sdk-rg/providers/Microsoft.Storage/storageAccounts/" + account;
        assertThat(enclave.mgmt("PUT", accountId, "{\"location\":\"local\"}").statusCode()).isEqualTo(201);
        grant(enclave.admin.get("objectId").asText(), "Storage Blob Data Contributor");
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void theAzureSdkUploadsListsDownloadsAndDeletes() throws Exception {
        BlobServiceClient service = client(enclave.admin.get("clientId").asText(), enclave.admin.get("clientSecret").asText());
        BlobContainerClient container = service.createBlobContainer("data");
        assertThat(container.exists()).isTrue();

        container.getBlobClient("docs/hello.txt").upload(com.azure.core.util.BinaryData.fromString("hello from enclave"));
        container.getBlobClient("docs/other.txt").upload(com.azure.core.util.BinaryData.fromString("other"));
        container.getBlobClient("top.txt").upload(com.azure.core.util.BinaryData.fromString("top"));

        // a large file goes up in blocks (stage block + commit block list)
        byte[] large = new byte[6 * 1024 * 1024 + 123];
        new Random(42).nextBytes(large);
        Path file = Files.write(files.resolve("large.bin"), large);
        BlobClient largeBlob = container.getBlobClient("big/large.bin");
        largeBlob.uploadFromFileWithResponse(new BlobUploadFromFileOptions(file.toString())
                .setParallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong(1024L * 1024).setMaxSingleUploadSizeLong(1024L * 1024)), null, null);
        assertThat(largeBlob.getBlockBlobClient().listBlocks(com.azure.storage.blob.models.BlockListType.COMMITTED).getCommittedBlocks()).hasSize(7);

        List<String> docs = container.listBlobs(new ListBlobsOptions().setPrefix("docs/"), null).stream().map(BlobItem::getName).toList();
        assertThat(docs).containsExactly("docs/hello.txt", "docs/other.txt");
        List<String> top = container.listBlobsByHierarchy("/", new ListBlobsOptions(), null).stream().map(BlobItem::getName).toList();
        assertThat(top).containsExactlyInAnyOrder("big/", "docs/", "top.txt");

        assertThat(container.getBlobClient("docs/hello.txt").downloadContent().toString()).isEqualTo("hello from enclave");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        largeBlob.downloadStream(out);
        assertThat(out.toByteArray()).isEqualTo(large);
        assertThat(largeBlob.getProperties().getBlobSize()).isEqualTo(large.length);

        container.getBlobClient("docs/other.txt").delete();
        assertThat(container.getBlobClient("docs/other.txt").exists()).isFalse();
        BlobStorageException missing = (BlobStorageException) catchThrowable(() -> container.getBlobClient("docs/other.txt").downloadContent());
        assertThat(missing.getErrorCode()).isEqualTo(BlobErrorCode.BLOB_NOT_FOUND);
        BlobStorageException noContainer = (BlobStorageException) catchThrowable(() -> service.getBlobContainerClient("nope").getBlobClient("x").downloadContent());
        assertThat(noContainer.getErrorCode()).isEqualTo(BlobErrorCode.CONTAINER_NOT_FOUND);
    }

    @Test
    void aPrincipalWithoutADataRoleIsRefusedAndAReaderCanOnlyRead() throws Exception {
        client(enclave.admin.get("clientId").asText(), enclave.admin.get("clientSecret").asText()).createBlobContainerIfNotExists("shared")
                .getBlobClient("note.txt").upload(com.azure.core.util.BinaryData.fromString("read me"), true);
        JsonNode sp = json(enclave.mgmt("POST", "/" + enclave.tenant() + "/directory/servicePrincipals", "{\"displayName\":\"blob-reader\"}"));
        BlobContainerClient asReader = client(sp.get("appId").asText(), sp.get("password").asText()).getBlobContainerClient("shared");

        BlobStorageException refused = (BlobStorageException) catchThrowable(() -> asReader.getBlobClient("note.txt").downloadContent());
        assertThat(refused.getStatusCode()).isEqualTo(403);
        assertThat(refused.getErrorCode()).isEqualTo(BlobErrorCode.AUTHORIZATION_PERMISSION_MISMATCH);

        grant(sp.get("objectId").asText(), "Storage Blob Data Reader");
        assertThat(asReader.getBlobClient("note.txt").downloadContent().toString()).isEqualTo("read me");
        BlobStorageException write = (BlobStorageException) catchThrowable(() -> asReader.getBlobClient("new.txt").upload(com.azure.core.util.BinaryData.fromString("x")));
        assertThat(write.getErrorCode()).isEqualTo(BlobErrorCode.AUTHORIZATION_PERMISSION_MISMATCH);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        TokenCredential wrongAudience = context -> Mono.fromCallable(() -> new AccessToken(enclave.token("https://management.azure.com/.default"),
                OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(30)));
        BlobServiceClient client = new BlobServiceClientBuilder().endpoint(enclave.server.gatewayUrl() + "/" + account).credential(wrongAudience)
                .httpClient(new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(TestServer.sslContext(enclave.server.caFile()))).build())
                .buildClient();
        assertThatThrownBy(() -> client.getBlobContainerClient("shared").exists()).isInstanceOf(BlobStorageException.class)
                .satisfies(e -> assertThat(((BlobStorageException) e).getStatusCode()).isEqualTo(401));
    }

    /** A blob client that asks Enclave's token endpoint for storage tokens as a service principal (client credentials). */
    private static BlobServiceClient client(String clientId, String secret) throws Exception {
        TokenCredential credential = (TokenRequestContext context) -> Mono.fromCallable(() -> {
            String scope = String.join(" ", context.getScopes());
            return new AccessToken(enclave.token(clientId, secret, scope), OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(50));
        });
        return new BlobServiceClientBuilder()
                .endpoint(enclave.server.gatewayUrl() + "/" + account)
                .credential(credential)
                .httpClient(new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(TestServer.sslContext(enclave.server.caFile()))).build())
                .buildClient();
    }

    private static void grant(String principalId, String role) throws Exception {
        JsonNode roles = json(enclave.mgmt("GET", "/subscriptions/" + enclave.subscription() + "/providers/Microsoft.Authorization/roleDefinitions?$filter="
                + java.net.URLEncoder.encode("roleName eq '" + role + "'", StandardCharsets.UTF_8), null));
        HttpResponse<String> assigned = enclave.mgmt("PUT", accountId + "/providers/Microsoft.Authorization/roleAssignments/" + UUID.randomUUID(),
                "{\"properties\":{\"roleDefinitionId\":\"" + roles.get("value").get(0).get("id").asText() + "\",\"principalId\":\"" + principalId + "\"}}");
        assertThat(assigned.statusCode()).as(assigned.body()).isEqualTo(201);
    }

    private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(thrown).isInstanceOf(BlobStorageException.class);
        return thrown;
    }
}
