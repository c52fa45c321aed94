-- Figures stated in the prose of sections 一 and 六 (pipeline/extract/narrative.py), one row per
-- phrase read, for every report not marked duplicate. table_code/row_code/applicant_class name
-- the cell the figure must equal (row_code joins two codes with '+' when the figure is their sum);
-- NULL when no cell says the same thing. Only changed_agencies' rows are replaced.
CREATE TABLE IF NOT EXISTS narrative_figures (
    report_id VARCHAR,
    kind VARCHAR,
    value DECIMAL(38, 6),
    source_line INTEGER,
    raw_text VARCHAR,
    table_code VARCHAR,
    row_code VARCHAR,
    applicant_class VARCHAR,
    source_page INTEGER
);
DELETE FROM narrative_figures
-- every row but those of the unchanged agencies' reports: the changed agencies' and those of reports gone
WHERE report_id NOT IN (
    SELECT report_id FROM reports
    EXCEPT
    SELECT report_id FROM changed_agency_reports
);
INSERT INTO narrative_figures
SELECT
    n.report_id,
    n.kind,
    CAST(n.value AS DECIMAL(38, 6)) AS value,
    CAST(n.source_line AS INTEGER) AS source_line,
    n.raw_text,
    n.table_code,
    n.row_code,
    n.applicant_class,
    CAST(n.source_page AS INTEGER) AS source_page
FROM read_parquet($narrative) AS n
WHERE
    n.report_id IN (
        SELECT c.report_id
        FROM changed_agency_reports AS c
        WHERE c.status <> 'duplicate'
    )
ORDER BY n.report_id, n.source_page, n.source_line, n.kind;
