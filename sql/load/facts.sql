-- One row per cell of sections 二, 三 and 四. A byte-identical copy's facts are left out: they
-- are its original's facts, and loading them twice would double-count. So are the facts of a
-- file that repeats an earlier file's agency, year and facts (agency_year_duplicates.same_as).
CREATE OR REPLACE TABLE facts AS
SELECT
    f.report_id,
    f.table_code,
    f.row_code,
    f.applicant_class,
    CAST(f.value AS DECIMAL(38, 6)) AS value,
    CAST(f.source_line AS INTEGER) AS source_line,
    f.raw_text,
    f.doubt
FROM read_parquet($facts) AS f
SEMI JOIN read_parquet($reports) AS r
    ON r.report_id = f.report_id AND r.status <> 'duplicate'
ANTI JOIN agency_year_duplicates AS d
    ON d.report_id = f.report_id AND d.same_as IS NOT NULL
ORDER BY f.report_id, f.source_line, f.table_code, f.row_code, f.applicant_class;
