-- The shared agency-years of changed_agencies (see scope/reports.sql).
CREATE SCHEMA IF NOT EXISTS build_scope;
CREATE OR REPLACE TABLE build_scope.agency_year_duplicates AS
SELECT d.*
FROM main.agency_year_duplicates AS d
SEMI JOIN main.changed_agencies AS c ON c.agency_id IS NOT DISTINCT FROM d.agency_id;
