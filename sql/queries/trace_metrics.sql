-- `xxgk trace`: the mart_agency_year columns it can trace, with what each means.
SELECT DISTINCT l.metric, c.comment
FROM mart_lineage AS l
LEFT JOIN duckdb_columns() AS c
    ON c.database_name = current_database() AND c.table_name = 'mart_agency_year' AND c.column_name = l.metric
ORDER BY l.metric
