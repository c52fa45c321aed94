-- The rows of one base table ($table: reports, facts, … as sql/schema.toml marks them sliced)
-- that belong to changed_agencies' reports, kept as build_scope.<table>: what a model refreshed
-- per agency reads in place of the table when a build starts from the published warehouse
-- (pipeline/warehouse/models.py). Every sliced table has report_id, so one statement serves all.
SELECT t.*
FROM query_table($table) AS t
WHERE t.report_id IN (SELECT c.report_id FROM changed_agency_reports AS c)
