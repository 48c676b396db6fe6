package enclave.serving.runtime;

import java.util.Map;

/** A scoring request as the worker sees it: the sub-path below the endpoint ({@code /score}), headers to pass on, the body. */
public record ScoreRequest(String method, String path, Map<String, String> headers, byte[] body) {
    public ScoreRequest {
        headers = Map.copyOf(headers);
    }
}
