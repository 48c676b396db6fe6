package enclave.cli.testing;

import enclave.cli.asset.AssetResolver;
import enclave.cli.asset.CodeSource;
import enclave.cli.asset.EnvironmentSource;
import enclave.cli.asset.ModelSource;
import java.util.ArrayList;
import java.util.List;

/** An {@link AssetResolver} that remembers what it was asked and answers with recognisable ids. */
public final class RecordingAssets implements AssetResolver {
    public final List<ModelSource> models = new ArrayList<>();
    public final List<CodeSource> codes = new ArrayList<>();
    public final List<EnvironmentSource> environments = new ArrayList<>();

    @Override
    public String model(ModelSource model, String defaultName) {
        models.add(model);
        return "model:" + defaultName;
    }

    @Override
    public String code(CodeSource code, String defaultName) {
        codes.add(code);
        return "code:" + defaultName;
    }

    @Override
    public String environment(EnvironmentSource environment, String defaultName) {
        environments.add(environment);
        return "environment:" + defaultName;
    }
}
