package enclave.core;

import java.util.concurrent.CompletionException;

/** Failures of {@link java.util.concurrent.CompletableFuture}s, as the code that failed threw them. */
public final class Futures {
    private Futures() {}

    /** The exception a stage threw, without the {@link CompletionException} that dependent stages and join() wrap it in. */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
