-- docs/form.md rule 2 (error). Section 三, every row: the 总计 cell (applicant class total) is expected
-- to be the sum of the six applicant classes.
WITH rows AS (
    SELECT
        report_id,
        any_value(source_file) AS source_file,
        any_value(agency_id) AS agency_id,
        any_value(agency) AS agency,
        any_value(year) AS year,
        row_code,
        sum(value) FILTER (applicant_class <> 'total') AS classes_sum,
        count(*) FILTER (applicant_class <> 'total') AS classes,
        sum(value) FILTER (applicant_class = 'total') AS total,
        min(source_place) FILTER (applicant_class = 'total') AS total_place
    FROM stg_report_facts
    WHERE table_code = 'requests'
    GROUP BY report_id, row_code
)

SELECT
    'row_total' AS check_name,
    'error' AS severity,
    agency_id,
    agency,
    year,
    report_id,
    'requests' AS table_code,
    row_code,
    'total' AS applicant_class,
    classes_sum AS expected,
    total AS actual,
    format(
        '{} {}: 总计 {} ≠ the sum of the six applicant classes {}', source_file, total_place,
        plain_number(total),
        plain_number(classes_sum)
    ) AS detail
FROM rows
WHERE total IS DISTINCT FROM classes_sum
