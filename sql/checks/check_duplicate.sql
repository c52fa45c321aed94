-- Duplicate (error): two or more complete reports of the same agency and year, in different files,
-- that disagree on some fact. All stay ok and the marts leave the agency-year out until a user
-- removes the wrong file(s). (Files that repeat the same facts are status duplicate instead.)
SELECT
    'duplicate' AS check_name,
    'error' AS severity,
    d.agency_id,
    a.name AS agency,
    d.year,
    CAST(NULL AS VARCHAR) AS report_id,
    CAST(NULL AS VARCHAR) AS table_code,
    CAST(NULL AS VARCHAR) AS row_code,
    CAST(NULL AS VARCHAR) AS applicant_class,
    CAST(NULL AS DECIMAL(38, 6)) AS expected,
    CAST(NULL AS DECIMAL(38, 6)) AS actual,
    format(
        '{} {} is reported by {} files with different facts: {}; remove the wrong one(s)',
        a.name, d.year, count(*), string_agg(d.source_file, ', ' ORDER BY d.source_file)
    ) AS detail
FROM agency_year_duplicates AS d
LEFT JOIN agencies AS a ON a.agency_id = d.agency_id
WHERE d.conflict AND d.same_as IS NULL
GROUP BY d.agency_id, a.name, d.year
