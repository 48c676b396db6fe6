package enclave.serving.gateway;

/**
 * Which network path a request came in on: a fact of the listener (socket) that accepted it, never of a header.
 * The default fabric has only the public listener; private endpoints add one listener each.
 */
public sealed interface NetworkPath {
    record Public() implements NetworkPath {
        @Override
        public String describe() {
            return "the public listener";
        }
    }

    String describe();
}
