-- docs/form.md rule 3 (error). Section 三, every applicant class: 三(七)总计 (row result.total) is
-- expected to be the sum of the result rows (一)…(六) with their sub-items.
SELECT
    'result_total' AS check_name,
    'error' AS severity,
    agency_id,
    agency,
    year,
    report_id,
    'requests' AS table_code,
    'result.total' AS row_code,
    applicant_class,
    result_rows_sum AS expected,
    result_total AS actual,
    format(
        '{} {}: 总计 {} ≠ the sum of the result rows {}', source_file, result_total_place,
        plain_number(result_total),
        plain_number(result_rows_sum)
    ) AS detail
FROM stg_request_columns
WHERE result_total IS DISTINCT FROM result_rows_sum
