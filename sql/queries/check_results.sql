-- `xxgk checks`: every finding, errors first.
SELECT check_name, severity, agency_id, agency, year, report_id, table_code, row_code, applicant_class, expected, actual, detail
FROM check_results
ORDER BY severity, check_name, agency, year, report_id, table_code, row_code, applicant_class
