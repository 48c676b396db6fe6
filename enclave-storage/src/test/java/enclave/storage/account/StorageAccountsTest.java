package enclave.storage.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.storage.blob.BlobProperties;
import enclave.storage.blob.BlobStore;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorageAccountsTest {
    @TempDir
    Path temp;

    private Database database;
    private BlobStore blobs;
    private StorageAccounts accounts;

    @BeforeEach
    void setUp() {
        database = Database.open(temp.resolve("db"));
        blobs = new BlobStore(temp.resolve("blobs"));
        accounts = new StorageAccounts(new JdbcResourceStore(database.dataSource()), blobs, "https://127.0.0.1:47444");
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "UpperCase1", "has-hyphen", "under_score", "abcdefghijklmnopqrstuvwxy", "dots.dots"})
    void namesFollowAzureRules(String name) {
        assertThatThrownBy(() -> accounts.create(StorageAccounts.id("sub1", "rg1", name), "local", Map.of()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidResourceName))
                .hasMessageContaining("'" + name + "'")
                .hasMessageContaining("3-24 characters, lower-case letters and digits only");
        assertThat(accounts.findByName(name)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "st0123456789", "abcdefghijklmnopqrstuvwx"})
    void validNamesAreAccepted(String name) {
        StorageAccount account = accounts.create(StorageAccounts.id("sub1", "rg1", name), "local", Map.of());

        assertThat(account.name()).isEqualTo(name);
        assertThat(accounts.findByName(name)).contains(account);
    }

    @Test
    void namesAreUniqueAcrossSubscriptionsAndGroups() {
        ResourceId first = StorageAccounts.id("sub1", "rg1", "shared1");
        accounts.create(first, "local", Map.of());

        assertThatThrownBy(() -> accounts.create(StorageAccounts.id("sub2", "other", "shared1"), "local", Map.of()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.Conflict))
                .hasMessageContaining("storage account name 'shared1' is already taken");
        assertThatThrownBy(() -> accounts.create(StorageAccounts.id("sub1", "rg2", "shared1"), "local", Map.of()))
                .isInstanceOf(EnclaveException.class);
        assertThat(accounts.findByName("shared1").orElseThrow().id()).isEqualTo(first.toString());
    }

    @Test
    void creatingTheSameIdAgainUpdatesIt() {
        ResourceId id = StorageAccounts.id("sub1", "rg1", "acct1");
        StorageAccount created = accounts.create(id, "local", Map.of("env", "dev"), Optional.of("disabled"));

        // ARM ids compare case-insensitively
        StorageAccount updated = accounts.create(StorageAccounts.id("SUB1", "RG1", "acct1"), "local", Map.of("env", "prod"));

        assertThat(updated.tags()).containsExactly(Map.entry("env", "prod"));
        assertThat(updated.creationTime()).isEqualTo(created.creationTime());
        assertThat(updated.publicNetworkAccess()).isEqualTo("Disabled");
        assertThat(updated.publicNetworkAccessEnabled()).isFalse();
        assertThat(accounts.list(ResourceId.resourceGroup("sub1", "rg1"))).containsExactly(updated);
        assertThat(accounts.create(id, "local", Map.of(), Optional.of("Enabled")).publicNetworkAccess()).isEqualTo("Enabled");
    }

    @Test
    void theStoredDocumentHoldsOnlyTheRecordComponents() {
        StorageAccount account = accounts.create(StorageAccounts.id("sub1", "rg1", "acct1"), "local", Map.of("a", "b"));

        JsonNode stored = Json.MAPPER.valueToTree(account);

        assertThat(stored.fieldNames()).toIterable()
                .containsExactly("id", "name", "location", "tags", "publicNetworkAccess", "creationTime");
        assertThat(Json.MAPPER.convertValue(stored, StorageAccount.class)).isEqualTo(account);
    }

    @Test
    void settingsAreValidated() {
        ResourceId id = StorageAccounts.id("sub1", "rg1", "acct1");
        assertThatThrownBy(() -> accounts.create(id, "local", Map.of(), Optional.of("Sometimes")))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidRequestContent));
        accounts.create(id, "local", Map.of());

        assertThatThrownBy(() -> accounts.create(id, "westeurope", Map.of()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.Conflict))
                .hasMessageContaining("location");
        assertThatThrownBy(() -> accounts.create(ResourceId.of("sub1", "rg1", "Microsoft.Network", "virtualNetworks", "acct2"), "local", Map.of()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidResourceId));
    }

    @Test
    void getListAndFind() {
        ResourceId a = StorageAccounts.id("sub1", "rg1", "accta");
        ResourceId b = StorageAccounts.id("sub1", "rg1", "acctb");
        ResourceId elsewhere = StorageAccounts.id("sub1", "rg2", "acctc");
        accounts.create(a, "local", Map.of());
        accounts.create(b, "local", Map.of());
        accounts.create(elsewhere, "local", Map.of());

        assertThat(accounts.list(ResourceId.resourceGroup("sub1", "rg1"))).extracting(StorageAccount::name).containsExactly("accta", "acctb");
        assertThat(accounts.get(b).resourceId().key()).isEqualTo(b.key());
        assertThat(accounts.findByName("acctc").orElseThrow().location()).isEqualTo("local");
        ResourceId missing = StorageAccounts.id("sub1", "rg1", "nothere");
        assertThatThrownBy(() -> accounts.get(missing))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ResourceNotFound))
                .hasMessageContaining("'nothere'");
        assertThat(accounts.blobEndpoint("accta")).isEqualTo("https://127.0.0.1:47444/accta/");
    }

    @Test
    void deleteRemovesTheAccountAndItsData() {
        ResourceId id = StorageAccounts.id("sub1", "rg1", "acct1");
        accounts.create(id, "local", Map.of());
        blobs.createContainer("acct1", "models");
        blobs.put("acct1", "models", "m.onnx", new ByteArrayInputStream(new byte[] {1, 2, 3}), BlobProperties.none());

        assertThat(accounts.delete(id)).isTrue();

        assertThat(accounts.find(id)).isEmpty();
        assertThat(accounts.findByName("acct1")).isEmpty();
        assertThat(blobs.containerExists("acct1", "models")).isFalse();
        assertThat(accounts.delete(id)).isFalse();
        // the name is free again, and a new account of that name starts empty
        accounts.create(StorageAccounts.id("sub2", "rg9", "acct1"), "local", Map.of());
        assertThat(blobs.listContainers("acct1", "")).isEmpty();
    }

    @Test
    void aNewAccountNeverSeesDataLeftByAnEarlierOneOfTheSameName() {
        // data without an account: what a delete interrupted between data and document would leave if done the other way round
        blobs.createContainer("acct1", "stale");

        accounts.create(StorageAccounts.id("sub1", "rg1", "acct1"), "local", Map.of());

        assertThat(blobs.containerExists("acct1", "stale")).isFalse();
    }
}
