-- The prose figures of changed_agencies' reports (see scope/reports.sql).
CREATE SCHEMA IF NOT EXISTS build_scope;
CREATE OR REPLACE TABLE build_scope.narrative_figures AS
SELECT n.*
FROM main.narrative_figures AS n
WHERE n.report_id IN (SELECT report_id FROM build_scope.reports);
