-- Every finding of every check, one row each: check_name, severity (error | warning), the agency
-- (agency_id and canonical name), year, report, the cell (table_code, row_code, applicant_class),
-- expected (what the rule says the cell should be), actual (the value written in the cell), detail.
SELECT
    check_name, severity, agency_id, agency, year, report_id, table_code, row_code, applicant_class,
    CAST(expected AS DECIMAL(38, 6)) AS expected, CAST(actual AS DECIMAL(38, 6)) AS actual, detail
FROM (
    SELECT * FROM check_balance
    UNION ALL BY NAME SELECT * FROM check_row_total
    UNION ALL BY NAME SELECT * FROM check_result_total
    UNION ALL BY NAME SELECT * FROM check_appeals_total
    UNION ALL BY NAME SELECT * FROM check_value_domain
    UNION ALL BY NAME SELECT * FROM check_carryover
    UNION ALL BY NAME SELECT * FROM check_regdoc_stock
    UNION ALL BY NAME SELECT * FROM check_narrative
    UNION ALL BY NAME SELECT * FROM check_completeness
    UNION ALL BY NAME SELECT * FROM check_duplicate
    UNION ALL BY NAME SELECT * FROM check_aggregate_coverage
)
ORDER BY severity, check_name, agency, year, report_id, table_code, row_code, applicant_class
