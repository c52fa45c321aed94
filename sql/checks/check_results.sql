-- Every finding of every check, one row each: check_name, severity (error | warning), the agency
-- (agency_id and canonical name), year, report, the cell (table_code, row_code, applicant_class),
-- expected (what the rule says the cell should be), actual (the value written in the cell), detail.
-- checks: the rows of every other table of sql/checks, by column name (schema.toml union_of).
SELECT
    check_name, severity, agency_id, agency, year, report_id, table_code, row_code, applicant_class,
    CAST(expected AS DECIMAL(38, 6)) AS expected, CAST(actual AS DECIMAL(38, 6)) AS actual, detail
FROM checks
ORDER BY severity, check_name, agency, year, report_id, table_code, row_code, applicant_class
