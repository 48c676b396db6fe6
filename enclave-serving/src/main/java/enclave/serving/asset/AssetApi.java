package enclave.serving.asset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import enclave.serving.workspace.WorkspaceApi;
import enclave.serving.workspace.Workspaces;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** ARM REST mapping of {@code codes}, {@code models} and {@code environments} versions. */
public final class AssetApi {
    private final Assets assets;
    private final Workspaces workspaces;
    private final Clock clock;

    public AssetApi(Assets assets, Workspaces workspaces, Clock clock) {
        this.assets = assets;
        this.workspaces = workspaces;
        this.clock = clock;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (AssetKind kind : AssetKind.values()) {
            String versions = WorkspaceApi.WORKSPACE + "/" + kind.name() + "/{asset}/versions";
            String action = "Microsoft.MachineLearningServices/workspaces/" + kind.name() + "/versions/";
            routes.add(Route.of("PUT", versions + "/{version}", action + "write", call -> put(call, kind)));
            routes.add(Route.of("GET", versions + "/{version}", action + "read", call -> call.json(200, toArm(assets.find(id(call, kind))
                    .orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, kind.singular() + " '" + call.param("asset") + "' version "
                            + call.param("version") + " was not found"))))));
            routes.add(Route.of("GET", versions, action + "read", call -> call.json(200, Arm.list(
                    assets.versions(workspace(call), kind, call.param("asset")).stream().map(AssetApi::toArm).toList()))));
        }
        return routes;
    }

    private ResourceId workspace(Call call) {
        ResourceId workspace = WorkspaceApi.id(call);
        workspaces.get(workspace);
        return workspace;
    }

    private ResourceId id(Call call, AssetKind kind) {
        return Assets.id(WorkspaceApi.id(call), kind, call.param("asset"), call.param("version"));
    }

    private void put(Call call, AssetKind kind) {
        workspace(call);
        JsonNode body = call.body(JsonNode.class);
        JsonNode properties = Arm.object(body, "properties");
        ResourceId id = id(call, kind);
        AssetVersion version = new AssetVersion(id.toString(), kind, call.param("asset"), call.param("version"),
                kind.uriProperty() == null ? Optional.empty() : Arm.text(properties, kind.uriProperty()),
                kind == AssetKind.models ? Optional.of(Arm.text(properties, "modelType").orElse("custom_model")) : Optional.empty(),
                kind == AssetKind.environments ? Arm.text(properties, "condaFile") : Optional.empty(),
                kind == AssetKind.environments ? Arm.text(properties, "image") : Optional.empty(),
                Arm.text(properties, "description").orElse(""), Arm.stringMap(properties, "tags").orElse(Map.of()), clock.instant());
        boolean created = assets.put(version);
        call.json(created ? 201 : 200, toArm(assets.find(id).orElseThrow()));
    }

    static ObjectNode toArm(AssetVersion version) {
        ObjectNode node = Arm.envelope(ResourceId.parse(version.id()), null, Map.of());
        ObjectNode properties = Arm.properties(node);
        properties.put("description", version.description());
        properties.set("tags", Arm.envelope(ResourceId.parse(version.id()), null, version.tags()).get("tags"));
        version.uri().ifPresent(uri -> properties.put(version.kind().uriProperty(), uri));
        version.modelType().ifPresent(type -> properties.put("modelType", type));
        version.condaFile().ifPresent(conda -> properties.put("condaFile", conda));
        version.image().ifPresent(image -> properties.put("image", image));
        properties.put("provisioningState", "Succeeded");
        node.putObject("systemData").put("createdAt", version.createdAt().toString());
        return node;
    }
}
