-- One row per file in the raw folder, whatever became of it.
CREATE OR REPLACE TABLE reports AS
SELECT
    report_id,
    source_file,
    sha256,
    bytes,
    agency,
    CAST(year AS INTEGER) AS year,
    form_version,
    status,
    duplicate_of,
    message,
    fact_count
FROM read_parquet($reports)
ORDER BY source_file;
