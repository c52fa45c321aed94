-- The build's slices of changed agencies (sql/scope) are scratch: they leave before publication.
DROP SCHEMA IF EXISTS build_scope CASCADE
