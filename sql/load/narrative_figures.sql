-- Figures stated in the prose of sections 一 and 六 (pipeline/extract/narrative.py), one row per
-- phrase read. table_code/row_code/applicant_class name the cell the figure must equal (row_code
-- joins two codes with '+' when the figure is their sum); NULL when no cell says the same thing.
CREATE OR REPLACE TABLE narrative_figures AS
SELECT
    n.report_id,
    n.kind,
    CAST(n.value AS DECIMAL(38, 6)) AS value,
    CAST(n.source_line AS INTEGER) AS source_line,
    n.raw_text,
    n.table_code,
    n.row_code,
    n.applicant_class
FROM read_parquet($narrative) AS n
SEMI JOIN read_parquet($reports) AS r
    ON r.report_id = n.report_id AND r.status <> 'duplicate'
ORDER BY n.report_id, n.source_line, n.kind;
