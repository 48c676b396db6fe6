package enclave.cli.http;

import java.time.Instant;

/** A bearer token and when it stops working. */
public record AccessToken(String value, Instant expiresOn) {}
