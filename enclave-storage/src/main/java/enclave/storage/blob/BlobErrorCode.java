package enclave.storage.blob;

/**
 * The Azure Blob service's error codes that Enclave answers with, each with its HTTP status and the
 * standard first sentence of Azure's message. They go out as {@code x-ms-error-code} and the XML
 * {@code <Error><Code>} element; never rename one.
 */
public enum BlobErrorCode {
    ContainerNotFound(404, "The specified container does not exist."),
    BlobNotFound(404, "The specified blob does not exist."),
    ResourceNotFound(404, "The specified resource does not exist."),
    ContainerAlreadyExists(409, "The specified container already exists."),
    BlobAlreadyExists(409, "The specified blob already exists."),
    PublicAccessNotPermitted(409, "Public access is not permitted on this storage account."),
    ConditionNotMet(412, "The condition specified using HTTP conditional header(s) is not met."),
    InvalidBlobOrBlock(400, "The specified blob or block content is invalid."),
    InvalidBlockId(400, "The specified block ID is invalid. The block ID must be Base64-encoded."),
    InvalidBlockList(400, "The specified block list is invalid."),
    InvalidResourceName(400, "The specified resource name contains invalid characters."),
    InvalidUri(400, "The requested URI does not represent any resource on the server."),
    InvalidQueryParameterValue(400, "Value for one of the query parameters specified in the request URI is invalid."),
    InvalidHeaderValue(400, "The value for one of the HTTP headers is not in the correct format."),
    MissingRequiredHeader(400, "An HTTP header that's mandatory for this request is not specified."),
    InvalidMetadata(400, "The metadata specified is invalid. It has characters that are not permitted."),
    InvalidXmlDocument(400, "XML specified is not syntactically valid."),
    Md5Mismatch(400, "The MD5 value specified in the request did not match with the MD5 value calculated by the server."),
    OutOfRangeInput(400, "One of the request inputs is out of range."),
    InvalidInput(400, "One of the request inputs is not valid."),
    UnsupportedHttpVerb(405, "The resource doesn't support specified Http Verb."),
    RequestBodyTooLarge(413, "The request body is too large and exceeds the maximum permissible limit."),
    InvalidRange(416, "The range specified is invalid for the current size of the resource."),
    AuthenticationFailed(403, "Server failed to authenticate the request."),
    AuthorizationFailure(403, "This request is not authorized to perform this operation."),
    AuthorizationPermissionMismatch(403, "This request is not authorized to perform this operation using this permission."),
    InternalError(500, "The server encountered an internal error. Please retry the request.");

    private final int status;
    private final String summary;

    BlobErrorCode(int status, String summary) {
        this.status = status;
        this.summary = summary;
    }

    public int status() {
        return status;
    }

    /** Azure's standard sentence for this code, which starts every message. */
    public String summary() {
        return summary;
    }
}
