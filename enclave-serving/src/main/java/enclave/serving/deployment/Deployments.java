package enclave.serving.deployment;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.FileTrees;
import enclave.core.Names;
import enclave.core.ResourceId;
import enclave.serving.asset.AssetKind;
import enclave.serving.asset.AssetVersion;
import enclave.serving.asset.Assets;
import enclave.serving.endpoint.Endpoints;
import enclave.serving.identity.ManagedIdentityEndpoint;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.endpoint.ProvisioningState;
import enclave.serving.operation.Operation;
import enclave.serving.operation.Operations;
import enclave.serving.runtime.LogFiles;
import enclave.serving.runtime.RunningDeployment;
import enclave.serving.runtime.WorkerRuntime;
import enclave.serving.runtime.WorkerNetwork;
import enclave.serving.runtime.WorkerSpec;
import enclave.serving.workspace.Workspace;
import enclave.serving.workspace.Workspaces;
import enclave.store.ResourceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments and their reconciliation: desired state lives in the store, running workers live here.
 * Every change to what runs is published to the gateway through {@code onChange} (with the endpoint's id).
 */
public final class Deployments implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Deployments.class);
    private static final int MAX_INSTANCES = 16;

    private final ResourceStore store;
    private final Endpoints endpoints;
    private final Workspaces workspaces;
    private final Assets assets;
    private final Operations operations;
    private final StorageInitializer storageInitializer;
    private final PullPermissions pullPermissions;
    private final ManagedIdentityEndpoint managedIdentity;
    private final WorkerRuntime runtime;
    private final Path root;
    private final Clock clock;
    private final Consumer<ResourceId> onChange;
    /** Running workers by deployment key. */
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Deployments with an operation in flight, so a second change waits its turn. */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    private final DeploymentNetworks networks;

    private record Running(int generation, RunningDeployment workers, Path workDir) {}

    public Deployments(ResourceStore store, Endpoints endpoints, Workspaces workspaces, Assets assets, Operations operations,
            StorageInitializer storageInitializer, PullPermissions pullPermissions, ManagedIdentityEndpoint managedIdentity, WorkerRuntime runtime,
            DeploymentNetworks networks, Path root, Clock clock, Consumer<ResourceId> onChange) {
        this.store = store;
        this.networks = networks;
        this.endpoints = endpoints;
        this.workspaces = workspaces;
        this.assets = assets;
        this.operations = operations;
        this.storageInitializer = storageInitializer;
        this.pullPermissions = pullPermissions;
        this.managedIdentity = managedIdentity;
        this.runtime = runtime;
        this.root = root;
        this.clock = clock;
        this.onChange = onChange;
    }

    public static ResourceId id(ResourceId endpoint, String name) {
        return endpoint.child("deployments", name);
    }

    /** Validates the desired state fully, stores it, and starts reconciling it in the background. */
    public Operation createOrUpdate(OnlineDeployment requested) {
        ResourceId id = ResourceId.parse(requested.id());
        Names.onlineName("deployment", id.name());
        ResourceId endpointId = id.parent().orElseThrow();
        OnlineEndpoint endpoint = endpoints.get(endpointId);
        if (endpoint.provisioningState() == ProvisioningState.Deleting) {
            throw new EnclaveException(ErrorCode.OperationInProgress, "endpoint '" + endpoint.name() + "' is being deleted");
        }
        validate(requested);
        PullPermissions.pullingIdentity(endpoint);
        if (!busy.add(id.key())) {
            throw new EnclaveException(ErrorCode.OperationInProgress, "deployment '" + id.name() + "' has an operation in progress; wait for it to finish");
        }
        try {
            Optional<OnlineDeployment> existing = find(id);
            if (existing.isPresent() && !existing.get().egressPublicNetworkAccess().equalsIgnoreCase(requested.egressPublicNetworkAccess())) {
                throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, "egress_public_network_access of deployment '" + id.name() + "' is "
                        + existing.get().egressPublicNetworkAccess().toLowerCase(java.util.Locale.ROOT)
                        + " and cannot change after creation (as on Azure); create a new deployment instead");
            }
            int generation = existing.map(d -> d.generation() + 1).orElse(1);
            ProvisioningState state = existing.isPresent() ? ProvisioningState.Updating : ProvisioningState.Creating;
            OnlineDeployment desired = new OnlineDeployment(id.toString(), id.name(), endpoint.name(), requested.location(), requested.description(),
                    requested.tags(), requested.model(), requested.codeId(), requested.scoringScript(), requested.environmentId(),
                    requested.environmentVariables(), requested.instanceType(), requested.instanceCount(), requested.requestSettings(),
                    requested.livenessProbe(), requested.readinessProbe(), requested.egressPublicNetworkAccess(), state, Optional.empty(), generation,
                    existing.map(OnlineDeployment::createdAt).orElse(clock.instant()));
            store.put(id, desired);
            return startHolding(id, "queued", stage -> reconcile(desired, stage));
        } catch (RuntimeException e) {
            busy.remove(id.key());
            throw e;
        }
    }

    /** Refuses a deployment that still takes traffic (as Azure does), then stops its workers and removes it in the background. */
    public Optional<Operation> delete(ResourceId id) {
        Optional<OnlineDeployment> deployment = find(id);
        if (deployment.isEmpty()) {
            return Optional.empty();
        }
        ResourceId endpointId = id.parent().orElseThrow();
        OnlineEndpoint endpoint = endpoints.get(endpointId);
        int live = weightOf(endpoint.traffic(), id.name());
        int mirrored = weightOf(endpoint.mirrorTraffic(), id.name());
        if (live > 0 || mirrored > 0) {
            throw new EnclaveException(ErrorCode.DeploymentHasTraffic, "deployment '" + id.name() + "' still takes " + (live > 0 ? live + "% of live traffic" : mirrored
                    + "% of mirrored traffic") + "; set its traffic to 0 first, e.g. enclave ml online-endpoint update -n " + endpoint.name() + " --traffic \"...\"");
        }
        if (!busy.add(id.key())) {
            throw new EnclaveException(ErrorCode.OperationInProgress, "deployment '" + id.name() + "' has an operation in progress; wait for it to finish");
        }
        store.put(id, deployment.get().withState(ProvisioningState.Deleting, Optional.empty()));
        return Optional.of(startHolding(id, "stopping workers", stage -> remove(id)));
    }

    /** Stops every deployment of an endpoint and removes them from the store (the endpoint is going away). */
    public void removeAll(ResourceId endpointId) {
        for (OnlineDeployment deployment : list(endpointId)) {
            remove(ResourceId.parse(deployment.id()));
        }
    }

    /** Stops every deployment below a scope (a workspace or endpoint being deleted). */
    public void stopAllUnder(ResourceId scope) {
        for (OnlineDeployment deployment : store.allOfType(Endpoints.DEPLOYMENT_TYPE, OnlineDeployment.class)) {
            ResourceId id = ResourceId.parse(deployment.id());
            if (id.isWithin(scope)) {
                remove(id);
            }
        }
    }

    public Optional<OnlineDeployment> find(ResourceId id) {
        return store.get(id, OnlineDeployment.class);
    }

    public OnlineDeployment get(ResourceId id) {
        return find(id).orElseThrow(() -> new EnclaveException(ErrorCode.DeploymentNotFound, "deployment '" + id.name() + "' was not found in endpoint '"
                + id.parent().map(ResourceId::name).orElse("?") + "'"));
    }

    public List<OnlineDeployment> list(ResourceId endpoint) {
        return store.children(endpoint, Endpoints.DEPLOYMENT_TYPE, OnlineDeployment.class);
    }

    /** The running workers of an endpoint's deployments, by lower-case deployment name. */
    public Map<String, RunningDeployment> runningOf(ResourceId endpoint) {
        Map<String, RunningDeployment> result = new HashMap<>();
        for (OnlineDeployment deployment : list(endpoint)) {
            Running r = running.get(ResourceId.parse(deployment.id()).key());
            if (r != null && deployment.provisioningState() != ProvisioningState.Deleting) {
                result.put(deployment.name().toLowerCase(Locale.ROOT), r.workers());
            }
        }
        return result;
    }

    public Optional<RunningDeployment> running(ResourceId id) {
        return Optional.ofNullable(running.get(id.key())).map(Running::workers);
    }

    /** Console output of the inference server or the storage initializer, last {@code lines} lines. */
    public String logs(ResourceId id, String container, int lines) {
        OnlineDeployment deployment = get(id);
        Path workDir = workDir(deployment);
        boolean storageInitializer = container.replace("-", "").equalsIgnoreCase("storageinitializer");
        if (!storageInitializer) {
            Running r = running.get(id.key());
            if (r != null && r.generation() == deployment.generation()) {
                return r.workers().consoleLog(lines);
            }
        }
        Path logs = workDir.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return "";
        }
        try (Stream<Path> files = Files.list(logs)) {
            // Current logs only (instance-N.log, storage-initializer.log): LogFiles.lastLines reads a previous file itself.
            List<Path> chosen = files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .filter(f -> storageInitializer == f.getFileName().toString().startsWith("storage-initializer")).sorted().toList();
            StringBuilder out = new StringBuilder();
            for (Path file : chosen) {
                if (chosen.size() > 1) {
                    out.append("--- ").append(file.getFileName().toString().replace(".log", "")).append(" ---\n");
                }
                LogFiles.lastLines(file, lines).forEach(line -> out.append(line).append('\n'));
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Brings every deployment back after a start: running ones restart, interrupted creates and updates are redone to a terminal
     * state, interrupted deletes finish. Runs in the background; the returned operations can be awaited.
     */
    public void recover() {
        for (OnlineDeployment deployment : store.allOfType(Endpoints.DEPLOYMENT_TYPE, OnlineDeployment.class)) {
            ResourceId id = ResourceId.parse(deployment.id());
            switch (deployment.provisioningState()) {
                case Deleting -> {
                    busy.add(id.key());
                    startHolding(id, "finishing delete", stage -> remove(id));
                }
                case Failed, Canceled -> log.info("deployment {} stays {} after restart", id, deployment.provisioningState());
                case Creating, Updating, Succeeded -> {
                    busy.add(id.key());
                    startHolding(id, "restarting workers", stage -> reconcile(deployment, stage));
                }
            }
        }
    }

    /** Runs {@code work} as an operation on a deployment the caller has marked busy, and clears the mark when it ends. */
    private Operation startHolding(ResourceId id, String firstStage, Operations.Work work) {
        return operations.start(id, firstStage, stage -> {
            try {
                work.run(stage);
            } finally {
                busy.remove(id.key());
            }
        });
    }

    private void reconcile(OnlineDeployment desired, Consumer<String> stage) {
        ResourceId id = ResourceId.parse(desired.id());
        ResourceId endpointId = id.parent().orElseThrow();
        try {
            stage.accept("downloading model and code");
            Workspace workspace = workspaces.get(endpointId.parent().orElseThrow());
            AssetVersion code = assets.resolve(desired.codeId(), AssetKind.codes);
            AssetVersion model = assets.resolve(desired.model(), AssetKind.models);
            Optional<AssetVersion> environment = Optional.ofNullable(desired.environmentId()).filter(e -> !e.isBlank())
                    .map(e -> assets.resolve(e, AssetKind.environments));
            Path workDir = workDir(desired);
            FileTrees.deleteQuietly(workDir);
            Files.createDirectories(workDir);
            StorageInitializer.Pulled pulled = storageInitializer.pull(workspace, code, model, workDir,
                    () -> pullPermissions.require(endpoints.get(endpointId), workspace));
            // The platform's variables come last: a deployment cannot point its code at another token endpoint or CA.
            Map<String, String> variables = new HashMap<>(desired.environmentVariables());
            variables.putAll(managedIdentity.environment(id));
            WorkerSpec spec = new WorkerSpec(desired.id(), workDir, pulled.codeDir(), desired.scoringScript(), pulled.modelDir(),
                    variables, desired.instanceCount(), desired.requestSettings(), desired.livenessProbe(), desired.readinessProbe(),
                    environment.flatMap(AssetVersion::condaFile), new WorkerNetwork.Host(), Optional.empty());
            DeploymentNetworks.Placement placement = networks.prepare(desired, workspace, workDir);
            spec = spec.withNetwork(placement.network()).withEnvironment(placement.environment());
            if (placement.trustStore().isPresent()) {
                spec = spec.withTrustStore(placement.trustStore().get());
            }
            RunningDeployment workers = runtime.start(spec, stage);
            Running previous = running.put(id.key(), new Running(desired.generation(), workers, workDir));
            if (find(id).map(d -> d.provisioningState() == ProvisioningState.Deleting).orElse(true)) {
                // deleted while starting: do not leave workers behind
                running.remove(id.key());
                workers.close();
                return;
            }
            store.put(id, desired.withState(ProvisioningState.Succeeded, Optional.empty()));
            onChange.accept(endpointId);
            if (previous != null && previous.generation() != desired.generation()) {
                previous.workers().close();
                FileTrees.deleteQuietly(previous.workDir());
            }
        } catch (EnclaveException e) {
            store.put(id, desired.withState(ProvisioningState.Failed, Optional.of(e.getMessage())));
            onChange.accept(endpointId);
            throw e;
        } catch (IOException e) {
            store.put(id, desired.withState(ProvisioningState.Failed, Optional.of("could not prepare the deployment's files: " + e.getMessage())));
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            store.put(id, desired.withState(ProvisioningState.Failed, Optional.of("the deployment failed inside Enclave: " + e)));
            throw e;
        }
    }

    private void remove(ResourceId id) {
        managedIdentity.forget(id);
        Running r = running.remove(id.key());
        Optional<OnlineDeployment> deployment = find(id);
        store.delete(id);
        onChange.accept(id.parent().orElseThrow());
        if (r != null) {
            r.workers().close();
        }
        networks.release(id);
        deployment.ifPresent(d -> FileTrees.deleteQuietly(root.resolve(d.endpointName()).resolve(d.name())));
    }

    private Path workDir(OnlineDeployment deployment) {
        return root.resolve(deployment.endpointName()).resolve(deployment.name()).resolve("g" + deployment.generation());
    }

    private void validate(OnlineDeployment d) {
        if (d.instanceCount() < 1 || d.instanceCount() > MAX_INSTANCES) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, "instance_count is " + d.instanceCount() + "; use 1 to " + MAX_INSTANCES + " on this platform");
        }
        if (d.scoringScript() == null || d.scoringScript().isBlank() || d.scoringScript().contains("..") || d.scoringScript().startsWith("/")) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, "code_configuration.scoring_script must be a relative path inside the code folder, got '"
                    + d.scoringScript() + "'");
        }
        if (!"Enabled".equalsIgnoreCase(d.egressPublicNetworkAccess()) && !"Disabled".equalsIgnoreCase(d.egressPublicNetworkAccess())) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec,
                    "egress_public_network_access is '" + d.egressPublicNetworkAccess() + "'; use enabled or disabled");
        }
        networks.validate(d);
        if (d.model() == null || d.codeId() == null) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec, "a deployment needs a model and a code_configuration");
        }
        assets.resolve(d.codeId(), AssetKind.codes);
        assets.resolve(d.model(), AssetKind.models);
        if (d.environmentId() != null && !d.environmentId().isBlank()) {
            assets.resolve(d.environmentId(), AssetKind.environments);
        }
    }

    private static int weightOf(Map<String, Integer> weights, String name) {
        return weights.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).mapToInt(e -> e.getValue() == null ? 0 : e.getValue()).sum();
    }

    @Override
    public void close() {
        for (Running r : running.values()) {
            r.workers().close();
        }
        running.clear();
    }
}
