-- The reports of changed_agencies: the rows of facts and narrative_figures a build replaces
-- (sql/sources), the slices the per-agency models are recomputed from (scope.sql) and the
-- Parquet files an export writes again (sql/export/parts.sql). A temporary view of the
-- connection that needs it, made once changed_agencies is loaded: it is never published.
CREATE OR REPLACE TEMP VIEW changed_agency_reports AS
SELECT r.report_id, r.year, r.status
FROM main.reports AS r
SEMI JOIN main.changed_agencies AS c ON c.agency_id IS NOT DISTINCT FROM r.agency_id
