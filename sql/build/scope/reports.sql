-- The reports of changed_agencies: what a model refreshed per agency reads instead of reports
-- when a build starts from the published warehouse (pipeline/warehouse/models.py).
CREATE SCHEMA IF NOT EXISTS build_scope;
CREATE OR REPLACE TABLE build_scope.reports AS
SELECT r.*
FROM main.reports AS r
SEMI JOIN main.changed_agencies AS c ON c.agency_id IS NOT DISTINCT FROM r.agency_id;
