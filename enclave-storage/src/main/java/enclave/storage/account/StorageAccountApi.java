package enclave.storage.account;

import com.fasterxml.jackson.core.JsonProcessingException;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** The ARM REST mapping of storage accounts (management listener). */
public final class StorageAccountApi {
    static final String COLLECTION = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts";
    static final String ACCOUNT = COLLECTION + "/{account}";
    private static final long MAX_BODY = 1024 * 1024;

    private final StorageAccounts accounts;
    private final Predicate<ResourceId> resourceGroupExists;

    public StorageAccountApi(StorageAccounts accounts, Predicate<ResourceId> resourceGroupExists) {
        this.accounts = accounts;
        this.resourceGroupExists = resourceGroupExists;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("PUT", ACCOUNT, StorageAccount.TYPE + "/write", this::put),
                Route.of("GET", ACCOUNT, StorageAccount.TYPE + "/read", this::get),
                Route.of("DELETE", ACCOUNT, StorageAccount.TYPE + "/delete", this::delete),
                Route.of("GET", COLLECTION, StorageAccount.TYPE + "/read", this::list));
    }

    private void put(Call call) {
        ResourceId id = accountId(call);
        PutBody body = readPutBody(call);
        boolean existed = accounts.exists(id);
        StorageAccount account = accounts.create(
                id,
                body.location() != null ? body.location() : "local",
                body.tags() != null ? body.tags() : Map.of(),
                Optional.ofNullable(body.properties()).map(PutProperties::publicNetworkAccess));
        call.json(existed ? 200 : 201, toArm(account));
    }

    private void get(Call call) {
        call.json(200, toArm(accounts.get(accountId(call))));
    }

    private void delete(Call call) {
        boolean existed = accounts.delete(accountId(call));
        call.empty(existed ? 200 : 204, Map.of());
    }

    private void list(Call call) {
        ResourceId group = existingGroup(call);
        List<ArmAccount> value = accounts.list(group).stream().map(this::toArm).toList();
        call.json(200, Map.of("value", value));
    }

    private ResourceId accountId(Call call) {
        existingGroup(call);
        return StorageAccounts.id(call.param("sub"), call.param("rg"), call.param("account"));
    }

    private ResourceId existingGroup(Call call) {
        ResourceId group = ResourceId.resourceGroup(call.param("sub"), call.param("rg"));
        if (!resourceGroupExists.test(group)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotFound,
                    "resource group '" + group.name() + "' could not be found; create it first");
        }
        return group;
    }

    private static PutBody readPutBody(Call call) {
        byte[] raw = call.rawBody(MAX_BODY);
        if (raw.length == 0) {
            return new PutBody(null, null, null, null, null);
        }
        try {
            return Json.MAPPER.readValue(raw, PutBody.class);
        } catch (JsonProcessingException e) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the request body is not valid: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the request body is not valid: " + e.getMessage());
        }
    }

    ArmAccount toArm(StorageAccount account) {
        return new ArmAccount(
                account.id(),
                account.name(),
                StorageAccount.TYPE,
                account.location(),
                account.tags(),
                "StorageV2",
                new Sku("Standard_LRS", "Standard"),
                new ArmProperties(
                        "Succeeded",
                        account.creationTime(),
                        account.publicNetworkAccess(),
                        new Endpoints(accounts.blobEndpoint(account.name())),
                        false,
                        "TLS1_2"));
    }

    // REST shapes. Kind and SKU are accepted and answered as the one kind Enclave runs (local disk, StorageV2/Standard_LRS).
    record PutBody(String location, Map<String, String> tags, String kind, Sku sku, PutProperties properties) {}

    record PutProperties(String publicNetworkAccess) {}

    record ArmAccount(String id, String name, String type, String location, Map<String, String> tags, String kind, Sku sku, ArmProperties properties) {}

    record Sku(String name, String tier) {}

    record ArmProperties(
            String provisioningState,
            Instant creationTime,
            String publicNetworkAccess,
            Endpoints primaryEndpoints,
            boolean allowBlobPublicAccess,
            String minimumTlsVersion) {}

    record Endpoints(String blob) {}
}
