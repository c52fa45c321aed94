-- Completeness (warning): every file that is not a complete (ok) report, so nothing is half
-- counted in silence: incomplete reports (cells missing or unplaceable), rejected files (not a
-- report) and duplicates. detail is the report's message. Reports from before 2019 are rejected
-- (no national form) but are no finding: crawls of agency sites are full of them.
SELECT
    'completeness' AS check_name,
    'warning' AS severity,
    r.agency_id,
    a.name AS agency,
    r.year,
    r.report_id,
    CAST(NULL AS VARCHAR) AS table_code,
    CAST(NULL AS VARCHAR) AS row_code,
    CAST(NULL AS VARCHAR) AS applicant_class,
    CAST(NULL AS DECIMAL(38, 6)) AS expected,
    CAST(NULL AS DECIMAL(38, 6)) AS actual,
    format('{}: {}: {}', r.source_file, r.status, coalesce(r.message, 'no message')) AS detail
FROM reports AS r
LEFT JOIN agencies AS a ON a.agency_id = r.agency_id
WHERE
    r.status <> 'ok'
    AND NOT (r.status = 'rejected' AND coalesce(r.year < 2019, false))
