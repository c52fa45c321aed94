-- The rows of each file of parquet/facts the build holds, as (year, part, rows): what a file
-- kept from the previous export must hold to be linked into the new one (pipeline/warehouse/parquet.py).
SELECT r.year, substr(f.report_id, 1, 1) AS part, count(*) AS rows
FROM facts AS f
JOIN reports AS r USING (report_id)
GROUP BY ALL
