-- docs/form.md rule 5 (error). Counts are whole, non-negative numbers: only the fee and procurement
-- amounts (fees.amount_10k_yuan, procurement.amount) carry decimals, and only the 2019 form's
-- 本年增/减 cells (*.change) may be negative. expected is NULL: no single value is right.
SELECT
    'value_domain' AS check_name,
    'error' AS severity,
    agency_id,
    agency,
    year,
    report_id,
    table_code,
    row_code,
    applicant_class,
    CAST(NULL AS DECIMAL(38, 6)) AS expected,
    value AS actual,
    format(
        '{} {}: ''{}'' {}', source_file, source_place, raw_text,
        CASE
            WHEN value < 0 AND value <> trunc(value) THEN 'is negative and not a whole number'
            WHEN value < 0 THEN 'is negative'
            ELSE 'is not a whole number'
        END
    ) AS detail
FROM stg_report_facts
WHERE
    (value < 0 AND NOT (form_version = '2019' AND row_code LIKE '%.change'))
    OR (value <> trunc(value) AND row_code NOT IN ('fees.amount_10k_yuan', 'procurement.amount'))
