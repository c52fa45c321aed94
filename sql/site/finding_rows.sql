-- The findings of site_shown_findings (shown_findings.sql), newest first.
SELECT *
FROM site_shown_findings
ORDER BY year DESC NULLS LAST, check_name ASC, agency ASC, report_id ASC, table_code ASC, row_code ASC, applicant_class ASC, detail ASC
