-- Runs once, when the volume is first initialised: the database the test suite uses
-- (postgres://postgres@127.0.0.1:5432/test). The service's own database is `muskel` (POSTGRES_DB).
CREATE DATABASE test;
