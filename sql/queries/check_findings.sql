-- One check table's findings for its Dagster asset check: how many, and the first $sample rows.
SELECT count(*) OVER () AS failing, *
FROM query_table($table)
ORDER BY severity, agency, year, report_id, table_code, row_code, applicant_class
LIMIT $sample
