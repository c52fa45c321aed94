-- docs/form.md rule 6 (error). This year's 二、上年结转 (carried_over) is expected to equal last year's
-- 四、结转下年度继续办理 (carried_forward) of the same agency, per applicant class. Compared only
-- when both years have one complete report (agency-years with conflicting files are skipped).
SELECT
    'carryover' AS check_name,
    'error' AS severity,
    cur.agency_id,
    cur.agency,
    cur.year,
    cur.report_id,
    'requests' AS table_code,
    'carried_over' AS row_code,
    cur.applicant_class,
    prev.carried_forward AS expected,
    cur.carried_over AS actual,
    format(
        '{} {}: 上年结转 {} ≠ 结转下年度 {} in the {} report ({} {})', cur.source_file, cur.carried_over_place,
        plain_number(cur.carried_over),
        plain_number(prev.carried_forward),
        prev.year, prev.source_file, prev.carried_forward_place
    ) AS detail
FROM stg_request_columns AS cur
JOIN stg_request_columns AS prev
    ON
        prev.agency_id = cur.agency_id
        AND prev.year = cur.year - 1
        AND prev.applicant_class = cur.applicant_class
WHERE
    NOT cur.conflicted
    AND NOT prev.conflicted
    AND cur.carried_over IS DISTINCT FROM prev.carried_forward
