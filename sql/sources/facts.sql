-- One row per cell of sections 二, 三 and 四, for every report not marked duplicate (a byte-identical
-- copy, or a file repeating an earlier file's agency, year and facts: its original's facts are
-- loaded once). Only the facts of changed_agencies are replaced; the others are kept as they are.
-- unit (count, 10k_yuan or yuan) is the codebook's: value is DECIMAL for the amounts' sake.
CREATE TABLE IF NOT EXISTS facts (
    report_id VARCHAR,
    table_code VARCHAR,
    row_code VARCHAR,
    applicant_class VARCHAR,
    value DECIMAL(38, 6),
    unit VARCHAR,
    source_line INTEGER,
    raw_text VARCHAR,
    doubt VARCHAR,
    source_page INTEGER,
    source_box VARCHAR,
    source_cell VARCHAR
);
DELETE FROM facts
-- every row but those of the unchanged agencies' reports: the changed agencies' and those of reports gone
WHERE report_id NOT IN (
    SELECT report_id FROM reports
    EXCEPT
    SELECT report_id FROM changed_agency_reports
);
INSERT INTO facts
SELECT
    f.report_id,
    f.table_code,
    f.row_code,
    f.applicant_class,
    CAST(f.value AS DECIMAL(38, 6)) AS value,
    u.unit,
    CAST(f.source_line AS INTEGER) AS source_line,
    f.raw_text,
    f.doubt,
    CAST(f.source_page AS INTEGER) AS source_page,
    f.source_box,
    f.source_cell
FROM read_parquet($facts) AS f
LEFT JOIN (SELECT DISTINCT table_code, row_code, unit FROM codebook) AS u USING (table_code, row_code)
WHERE
    f.report_id IN (
        SELECT c.report_id
        FROM changed_agency_reports AS c
        WHERE c.status <> 'duplicate'
    )
ORDER BY f.report_id, f.source_page, f.source_line, f.source_cell, f.table_code, f.row_code, f.applicant_class;
