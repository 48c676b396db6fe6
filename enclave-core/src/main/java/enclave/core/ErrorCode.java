package enclave.core;

/**
 * Stable error codes, each with the HTTP status it maps to. Codes are part of the API: never rename one.
 * Codes follow Azure's spelling where Azure has one.
 */
public enum ErrorCode {
    // the caller's request is wrong
    BadRequest(400),
    InvalidRequestContent(400),
    InvalidResourceName(400),
    InvalidResourceId(400),
    InvalidTraffic(400),
    InvalidDeploymentSpec(400),
    InvalidApiVersion(400),
    MissingApiVersionParameter(400),
    UserError(400),
    MissingPythonPackage(400),
    ScoringScriptInitFailed(400),
    DeploymentFailed(400),
    InvalidYaml(400),
    UnknownField(400),
    // who the caller is
    AuthenticationFailed(401),
    InvalidAuthenticationToken(401),
    ExpiredAuthenticationToken(401),
    // what the caller may do
    AuthorizationFailed(403),
    PublicNetworkAccessDisabled(403),
    // what exists
    ResourceGroupNotFound(404),
    ResourceNotFound(404),
    WorkspaceNotFound(404),
    EndpointNotFound(404),
    DeploymentNotFound(404),
    NoDeploymentToRoute(404),
    OperationNotFound(404),
    ContainerNotFound(404),
    BlobNotFound(404),
    MethodNotAllowed(405),
    RequestTimeout(408),
    Conflict(409),
    EndpointNameTaken(409),
    DeploymentHasTraffic(409),
    ResourceGroupNotEmpty(409),
    OperationInProgress(409),
    PayloadTooLarge(413),
    UnsupportedMediaType(415),
    ModelError(424),
    TooManyRequests(429),
    // ours
    InternalServerError(500),
    WorkerUnavailable(502),
    ServiceUnavailable(503),
    UpstreamTimeout(504);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
