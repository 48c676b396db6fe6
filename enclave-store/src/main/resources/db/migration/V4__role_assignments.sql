-- Role assignments (Microsoft.Authorization/roleAssignments). Their ids are extension ids,
-- {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}, which the resources table's
-- ResourceId keys cannot hold, so they live here. Keys are lower-cased: ARM ids compare case-insensitively.
CREATE TABLE role_assignments (
    id_key                VARCHAR(2048) PRIMARY KEY,
    id                    VARCHAR(2048) NOT NULL,
    name_key              VARCHAR(64)   NOT NULL,
    scope_key             VARCHAR(2048) NOT NULL,
    scope                 VARCHAR(2048) NOT NULL,
    role_definition_id    VARCHAR(2048) NOT NULL,
    role_definition_name  VARCHAR(64)   NOT NULL,
    principal_id          VARCHAR(64)   NOT NULL,
    principal_type        VARCHAR(32)   NOT NULL,
    created_on            TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by            VARCHAR(256)  NOT NULL
);
-- Azure makes assignment names (GUIDs) unique across the tenant, and one principal holds a role at a scope once.
CREATE UNIQUE INDEX role_assignments_name ON role_assignments (name_key);
CREATE UNIQUE INDEX role_assignments_grant ON role_assignments (principal_id, role_definition_name, scope_key);
CREATE INDEX role_assignments_role ON role_assignments (role_definition_name);
