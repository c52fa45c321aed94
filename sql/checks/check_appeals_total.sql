-- docs/form.md rule 4 (error). Section 四, each group (review 复议, suit_direct 未经复议直接起诉,
-- suit_after_review 复议后起诉): the group's 总计 cell is expected to be 结果维持 + 结果纠正 +
-- 其他结果 + 尚未审结.
WITH groups AS (
    SELECT
        report_id,
        any_value(source_file) AS source_file,
        any_value(agency_id) AS agency_id,
        any_value(agency) AS agency,
        any_value(year) AS year,
        split_part(row_code, '.', 1) AS grp,
        sum(value) FILTER (split_part(row_code, '.', 2) IN ('upheld', 'corrected', 'other', 'pending')) AS outcomes_sum,
        sum(value) FILTER (split_part(row_code, '.', 2) = 'total') AS total,
        min(source_place) FILTER (split_part(row_code, '.', 2) = 'total') AS total_place
    FROM stg_report_facts
    WHERE table_code = 'appeals'
    GROUP BY report_id, split_part(row_code, '.', 1)
)

SELECT
    'appeals_total' AS check_name,
    'error' AS severity,
    agency_id,
    agency,
    year,
    report_id,
    'appeals' AS table_code,
    grp || '.total' AS row_code,
    CAST(NULL AS VARCHAR) AS applicant_class,
    outcomes_sum AS expected,
    total AS actual,
    format(
        '{} {}: 总计 {} ≠ 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = {}', source_file, total_place,
        plain_number(total),
        plain_number(outcomes_sum)
    ) AS detail
FROM groups
WHERE total IS DISTINCT FROM outcomes_sum
