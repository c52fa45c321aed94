-- Complete (ok) reports that share an agency and year with another ok report in a different file
-- (byte-identical copies are marked at extraction and are not here). One row per such report.
-- same_as: the first file (in path order) with exactly the same facts, when this file is not
-- that first one: reports marks it `duplicate` and facts leaves its cells out.
-- conflict: the agency-year's files disagree on some fact; all stay ok, the `duplicate` check
-- names them, and the marts leave the agency-year out until a user removes the wrong file.
CREATE OR REPLACE TABLE agency_year_duplicates AS
WITH
ok AS (
    SELECT r.report_id, r.source_file, a.agency_id, CAST(r.year AS INTEGER) AS year
    FROM read_parquet($reports) AS r
    JOIN agency_titles AS a ON a.agency = r.agency AND a.division_hint IS NOT DISTINCT FROM r.division_hint
    WHERE r.status = 'ok' AND r.year IS NOT NULL
),

shared AS (
    SELECT * FROM ok QUALIFY count(*) OVER (PARTITION BY agency_id, year) > 1
),

fingerprints AS (
    SELECT
        f.report_id,
        md5(string_agg(
            concat_ws('|', f.table_code, f.row_code, coalesce(f.applicant_class, ''), CAST(CAST(f.value AS DECIMAL(38, 6)) AS VARCHAR)),
            chr(10) ORDER BY f.table_code, f.row_code, f.applicant_class
        )) AS facts_md5
    FROM read_parquet($facts) AS f
    SEMI JOIN shared AS s ON s.report_id = f.report_id
    GROUP BY f.report_id
),

judged AS (
    SELECT
        s.report_id, s.source_file, s.agency_id, s.year, coalesce(p.facts_md5, md5('')) AS facts_md5,
        first_value(s.report_id) OVER same_facts AS first_id,
        first_value(s.source_file) OVER same_facts AS first_file,
        count(DISTINCT coalesce(p.facts_md5, md5(''))) OVER (PARTITION BY s.agency_id, s.year) > 1 AS conflict
    FROM shared AS s
    LEFT JOIN fingerprints AS p USING (report_id)
    WINDOW same_facts AS (PARTITION BY s.agency_id, s.year, coalesce(p.facts_md5, md5('')) ORDER BY s.source_file)
)

SELECT
    report_id, source_file, agency_id, year, facts_md5,
    CASE WHEN first_id <> report_id THEN first_id END AS same_as,
    CASE WHEN first_id <> report_id THEN first_file END AS same_as_file,
    conflict
FROM judged
ORDER BY agency_id, year, source_file;
