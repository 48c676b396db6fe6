package enclave.serving.asset;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Names;
import enclave.core.ResourceId;
import enclave.store.ResourceStore;
import java.util.List;
import java.util.Optional;

/** Versioned code, model and environment assets of workspaces. */
public final class Assets {
    private final ResourceStore store;

    public Assets(ResourceStore store) {
        this.store = store;
    }

    public static ResourceId id(ResourceId workspace, AssetKind kind, String name, String version) {
        return workspace.child(kind.name(), name).child("versions", version);
    }

    /** Creates a version, or updates description and tags of an existing one; refuses content changes. Returns whether it was created. */
    public boolean put(AssetVersion version) {
        Names.assetName(version.kind().singular(), version.name());
        Names.assetName(version.kind().singular() + " version", version.version());
        switch (version.kind()) {
            case codes, models -> DatastorePath.parse(version.uri().orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                    "a " + version.kind().singular() + " version needs properties." + version.kind().uriProperty())));
            case environments -> {
                if (version.condaFile().isEmpty() && version.image().isEmpty()) {
                    throw new EnclaveException(ErrorCode.InvalidRequestContent, "an environment version needs properties.condaFile or properties.image");
                }
            }
        }
        ResourceId id = ResourceId.parse(version.id());
        Optional<AssetVersion> existing = store.get(id, AssetVersion.class);
        if (existing.isPresent() && !existing.get().sameContent(version)) {
            throw new EnclaveException(ErrorCode.Conflict, version.kind().singular() + " '" + version.name() + "' version " + version.version()
                    + " already exists with other content; versions are immutable, register a new version instead");
        }
        store.put(id, existing.map(e -> new AssetVersion(e.id(), e.kind(), e.name(), e.version(), e.uri(), e.modelType(), e.condaFile(), e.image(),
                version.description(), version.tags(), e.createdAt())).orElse(version));
        return existing.isEmpty();
    }

    public Optional<AssetVersion> find(ResourceId id) {
        return store.get(id, AssetVersion.class);
    }

    /** The version an id names, checking it is of the expected kind. */
    public AssetVersion resolve(String versionId, AssetKind kind) {
        ResourceId id = ResourceId.parse(versionId);
        return find(id).filter(v -> v.kind() == kind).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound,
                kind.singular() + " version '" + versionId + "' was not found; register it first"));
    }

    public List<AssetVersion> versions(ResourceId workspace, AssetKind kind, String name) {
        return store.children(workspace.child(kind.name(), name), workspace.type() + "/" + kind.name() + "/versions", AssetVersion.class);
    }
}
