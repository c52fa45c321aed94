-- The findings of site_findings (findings.sql), newest first.
SELECT *
FROM site_findings
ORDER BY year DESC NULLS LAST, check_name, agency, report_id, table_code, row_code, applicant_class, detail
