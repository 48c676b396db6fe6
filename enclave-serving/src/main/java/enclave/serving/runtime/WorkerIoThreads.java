package enclave.serving.runtime;

/** Tells code outside this package whether it runs on a worker I/O loop, where deployments' answers complete. */
public final class WorkerIoThreads {
    private WorkerIoThreads() {}

    /** Whether the calling thread completes worker answers (and so writes gateway responses). */
    public static boolean isCurrent() {
        return WorkerIo.onLoopThread();
    }
}
