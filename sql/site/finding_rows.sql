-- The findings of site_findings (findings.sql), newest first.
SELECT *
FROM site_findings
ORDER BY year DESC NULLS LAST, check_name ASC, agency ASC, report_id ASC, table_code ASC, row_code ASC, applicant_class ASC, detail ASC
