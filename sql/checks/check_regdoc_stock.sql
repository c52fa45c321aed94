-- docs/form.md rule 7 (warning). 2021 form: this year's 现行有效件数 (regulations.in_force,
-- normative_documents.in_force) should equal last year's in_force + this year's issued −
-- repealed. Agencies often fail this. Compared only when both years use the 2021 form and have
-- one complete report.
WITH stock AS (
    SELECT
        report_id,
        any_value(source_file) AS source_file,
        any_value(agency_id) AS agency_id,
        any_value(agency) AS agency,
        any_value(year) AS year,
        bool_or(conflicted) AS conflicted,
        split_part(row_code, '.', 1) AS kind,
        sum(value) FILTER (split_part(row_code, '.', 2) = 'issued') AS issued,
        sum(value) FILTER (split_part(row_code, '.', 2) = 'repealed') AS repealed,
        sum(value) FILTER (split_part(row_code, '.', 2) = 'in_force') AS in_force,
        min(source_place) FILTER (split_part(row_code, '.', 2) = 'in_force') AS in_force_place
    FROM stg_report_facts
    WHERE
        table_code = 'proactive'
        AND form_version = '2021'
        AND split_part(row_code, '.', 1) IN ('regulations', 'normative_documents')
    GROUP BY report_id, split_part(row_code, '.', 1)
)

SELECT
    'regdoc_stock' AS check_name,
    'warning' AS severity,
    cur.agency_id,
    cur.agency,
    cur.year,
    cur.report_id,
    'proactive' AS table_code,
    cur.kind || '.in_force' AS row_code,
    CAST(NULL AS VARCHAR) AS applicant_class,
    prev.in_force + cur.issued - cur.repealed AS expected,
    cur.in_force AS actual,
    format(
        '{} {}: 现行有效 {} ≠ {} 现行有效 {} + 本年制发 {} − 本年废止 {}', cur.source_file, cur.in_force_place,
        plain_number(cur.in_force),
        prev.year,
        plain_number(prev.in_force),
        plain_number(cur.issued),
        plain_number(cur.repealed)
    ) AS detail
FROM stock AS cur
JOIN stock AS prev ON prev.agency_id = cur.agency_id AND prev.kind = cur.kind AND prev.year = cur.year - 1
WHERE
    NOT cur.conflicted
    AND NOT prev.conflicted
    AND cur.in_force IS DISTINCT FROM prev.in_force + cur.issued - cur.repealed
