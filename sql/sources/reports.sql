-- One row per file in the raw folder, whatever became of it. agency_id: the agency the title
-- names (agency_titles resolves every title, with what its text says of its division). A report
-- with the same agency, year and facts as an earlier file (in path order) is a `duplicate` of it
-- (agency_year_duplicates).
CREATE OR REPLACE TABLE reports AS
SELECT
    r.report_id,
    r.source_file,
    r.sha256,
    r.bytes,
    r.agency,
    a.agency_id,
    CAST(r.year AS INTEGER) AS year,
    r.form_version,
    r.rendering,
    r.published_on,
    CASE WHEN d.same_as IS NOT NULL THEN 'duplicate' ELSE r.status END AS status,
    coalesce(d.same_as, r.duplicate_of) AS duplicate_of,
    CASE
        WHEN d.same_as IS NOT NULL
            THEN
                concat_ws(
                    '; ',
                    'same agency, year and facts as ' || d.same_as_file || ' (a different file); its facts are loaded once, from that file',
                    r.message
                )
        ELSE r.message
    END AS message,
    r.fact_count
FROM read_parquet($reports) AS r
LEFT JOIN agency_titles AS a ON a.agency = r.agency AND a.division_hint IS NOT DISTINCT FROM r.division_hint
LEFT JOIN agency_year_duplicates AS d ON d.report_id = r.report_id
ORDER BY r.source_file;
