package enclave.serving.runtime;

/** Where a worker instance is in its life; {@link InstanceStatus#state()} carries the name. */
public enum InstanceState {
    /** Launched; {@code init()} has not finished yet. */
    Starting,
    /** Answering its readiness probe: receives traffic. */
    Ready,
    /** Alive, but failing its readiness probe: receives no traffic until it answers again. */
    NotReady,
    /** Crashed or failed its liveness probe; being started again. */
    Restarting,
    /** Stopped with its deployment. */
    Stopped
}
