-- The build's slices of changed agencies (sql/build/scope.sql) are scratch: they leave before publication.
DROP SCHEMA IF EXISTS build_scope CASCADE
