-- Facts with their report's year, as Parquet partitioned by year (hive style), one file per
-- (year, part) of export_parts; pipeline/warehouse/parquet.py names them facts/year=2024/part-3-0.parquet.
COPY (
    SELECT f.*, r.year, substr(f.report_id, 1, 1) AS part
    FROM facts AS f
    JOIN reports AS r USING (report_id)
    SEMI JOIN export_parts AS p ON p.year IS NOT DISTINCT FROM r.year AND p.part = substr(f.report_id, 1, 1)
    ORDER BY r.year, f.report_id, f.source_page, f.source_line, f.source_cell, f.table_code, f.row_code, f.applicant_class
) TO $path (FORMAT parquet, PARTITION_BY (year, part))
