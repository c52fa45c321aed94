-- The consistency rules: one per check table, with its description (the table's comment).
SELECT replace(table_name, 'check_', '') AS check_name, comment AS description
FROM duckdb_tables()
WHERE
    database_name = current_database() AND schema_name = 'main'
    AND table_name LIKE 'check\_%' ESCAPE '\' AND table_name <> 'check_results'
ORDER BY check_name
