-- docs/form.md rule 1 (error). Section 三, every applicant class: 一 + 二 = 三(七)总计 + 四, so the 总计
-- cell (row result.total) is expected to be new_received + carried_over − carried_forward.
SELECT
    'balance' AS check_name,
    'error' AS severity,
    agency_id,
    agency,
    year,
    report_id,
    'requests' AS table_code,
    'result.total' AS row_code,
    applicant_class,
    new_received + carried_over - carried_forward AS expected,
    result_total AS actual,
    format(
        '{} {}: 总计 {} ≠ 新收 {} + 上年结转 {} − 结转下年度 {}', source_file, result_total_place,
        plain_number(result_total),
        plain_number(new_received),
        plain_number(carried_over),
        plain_number(carried_forward)
    ) AS detail
FROM stg_request_columns
WHERE result_total IS DISTINCT FROM new_received + carried_over - carried_forward
