package enclave.serving.runtime;

/** One worker instance as the control plane shows it. */
public record InstanceStatus(int index, String state, long pid, int restarts) {}
