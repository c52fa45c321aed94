-- The findings (of site_findings, findings.sql) that the pages this build renders show: those of
-- the agencies whose pages are rendered (agency_pages.sql), every finding of the rules whose
-- pages are ($rules), and with $files those about files without a known agency (files.html).
-- finding_rows.sql and finding_cells.sql read these only.
CREATE OR REPLACE TEMP TABLE site_shown_findings AS
SELECT s.*
FROM site_findings AS s
WHERE
    s.agency_id IN (SELECT p.agency_id FROM site_agency_pages AS p)
    OR list_contains($rules::VARCHAR[], s.check_name)
    OR ($files AND NOT s.known_agency)
