-- Users sign in with a user principal name and a password (stored hashed, like client secrets).
ALTER TABLE principals ADD COLUMN user_principal_name VARCHAR(256);
CREATE UNIQUE INDEX principals_upn ON principals (user_principal_name);
