-- Directory objects of the platform's tenants: users, service principals and managed identities.
CREATE TABLE principals (
    object_id     VARCHAR(64) PRIMARY KEY,
    tenant_id     VARCHAR(64) NOT NULL,
    kind          VARCHAR(32) NOT NULL,
    app_id        VARCHAR(64),
    display_name  VARCHAR(256) NOT NULL,
    secret_hash   VARCHAR(512),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX principals_app ON principals (app_id);
