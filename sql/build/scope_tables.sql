-- The slices a build keeps in its build_scope schema, each put in front of the table of its name.
SELECT table_name FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'build_scope'
ORDER BY table_name
