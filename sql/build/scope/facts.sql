-- The facts of changed_agencies' reports (see scope/reports.sql).
CREATE SCHEMA IF NOT EXISTS build_scope;
CREATE OR REPLACE TABLE build_scope.facts AS
SELECT f.*
FROM main.facts AS f
WHERE f.report_id IN (SELECT report_id FROM build_scope.reports);
