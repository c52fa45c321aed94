-- Every finding of check_results with a stable id (a hash of the finding) and the files it is
-- about: the report's file, or for an agency-year reported by disagreeing files, each of them.
-- known_agency: the finding's agency has a page (otherwise the finding is on files.html).
-- A temporary table, so that finding_cells.sql lists the cells of the same findings.
CREATE OR REPLACE TEMP TABLE site_findings AS
SELECT
    substr(md5(concat_ws(
        '|', c.check_name, c.agency_id, c.year, c.report_id, c.table_code, c.row_code,
        c.applicant_class, c.expected, c.actual, c.detail
    )), 1, 16) AS finding_id,
    c.*,
    coalesce(
        [r.source_file],
        (
            SELECT list(d.source_file ORDER BY d.source_file) FROM agency_year_duplicates AS d
            WHERE d.agency_id = c.agency_id AND d.year = c.year AND d.conflict
        ),
        []
    ) AS source_files,
    coalesce(c.agency_id IN (SELECT a.agency_id FROM agencies AS a), false) AS known_agency
FROM check_results AS c
LEFT JOIN reports AS r ON r.report_id = c.report_id
