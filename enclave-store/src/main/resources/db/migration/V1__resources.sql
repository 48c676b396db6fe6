-- Every control-plane resource is one JSON document keyed by its lower-cased ARM id.
CREATE TABLE resources (
    id_key      VARCHAR(2048) PRIMARY KEY,
    id          VARCHAR(2048) NOT NULL,
    type_key    VARCHAR(512)  NOT NULL,
    parent_key  VARCHAR(2048),
    body        CLOB          NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX resources_parent ON resources (parent_key, type_key);
CREATE INDEX resources_type ON resources (type_key);

-- AmlOnlineEndpointTrafficLog: one row per scoring request.
CREATE TABLE traffic_log (
    seq                 BIGINT AUTO_INCREMENT PRIMARY KEY,
    endpoint_key        VARCHAR(2048) NOT NULL,
    time_generated      TIMESTAMP WITH TIME ZONE NOT NULL,
    record              CLOB NOT NULL
);
CREATE INDEX traffic_log_endpoint ON traffic_log (endpoint_key, seq);
