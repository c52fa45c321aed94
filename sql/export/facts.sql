-- Facts with their report's year, as Parquet partitioned by year (hive style: facts/year=2024/…).
COPY (
    SELECT f.*, r.year
    FROM facts AS f
    JOIN reports AS r USING (report_id)
    ORDER BY r.year, f.report_id, f.source_line, f.table_code, f.row_code, f.applicant_class
) TO $path (FORMAT parquet, PARTITION_BY (year))
